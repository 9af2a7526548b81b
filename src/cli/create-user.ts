import { createApp } from '../app'
import { runMigrations } from '../database/migrate'

export interface CreateUserOptions {
  email: string
  password: string
  name?: string
  roles: string[]
}

/** How the first admin is made: on the configured database, after applying pending migrations. */
export const createUser = async ({ email, password, name, roles }: CreateUserOptions) => {
  const app = await createApp().catch((error: Error) => {
    // The server holds the embedded database: say how to get the first admin without stopping it.
    if (/in use by another process/.test(error.message) && roles.includes('admin'))
      error.message +=
        ' For the first admin, start the server with ADMIN_EMAIL and ADMIN_PASSWORD instead (README, quick start).'
    throw error
  })
  try {
    await runMigrations(app.get('knex'))
    const user = await app.service('users').create({
      email,
      password,
      name: name ?? email.split('@')[0],
      roles: roles.length ? roles : ['customer']
    })
    const { password: _hash, ...visible } = user
    return visible
  } finally {
    await app.get('closeDatabase')()
  }
}

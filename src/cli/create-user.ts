import { createApp } from '../app'
import config from 'config'
import { runMigrations } from '../database/migrate'
import { loadDeclarationSet } from '../engine/declarations/load'
import { domain } from '../contexts'
import type { UserData } from '../generated/types'

/** Whether these roles make an administrator (`administrative: true` in _roles.yaml). */
const administrative = (roles: string[]) => {
  const declared = loadDeclarationSet(config.get<string>('resourcesDir'), domain).administrativeRoles
  return roles.some((role) => declared.includes(role))
}

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
    if (/in use by another process/.test(error.message) && administrative(roles))
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
      // Names from the command line: the service validates them against users.roles.
      roles: (roles.length ? roles : ['customer']) as UserData['roles']
    })
    // An internal call's answer keeps the hidden fields: drop the hash before showing the user.
    const { password: _hash, ...visible } = user as typeof user & { password?: string }
    return visible
  } finally {
    await app.get('closeDatabase')()
  }
}

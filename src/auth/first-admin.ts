import { Conflict } from '@feathersjs/errors'
import type { Application } from '../declarations'
import type { UserData } from '../generated/types'
import { administrativeRoles } from './administrators'

/** `firstAdmin` in the configuration (`ADMIN_EMAIL`, `ADMIN_PASSWORD`): empty strings mean "not set". */
export interface FirstAdminSettings {
  email: string
  password: string
}

/** The quick start's example password: fine on a laptop, never on a deployed instance. */
const EXAMPLE_PASSWORD = 'change me please'
const DEPLOYED_MIN_LENGTH = 16

/** The admin settings a start must refuse: one without the other, or a weak password where it matters. */
export const firstAdminProblem = (settings: FirstAdminSettings, env = process.env.NODE_ENV) => {
  const { email, password } = settings
  if (!email && !password) return undefined
  if (!email) return 'ADMIN_PASSWORD is set but ADMIN_EMAIL is not: set both to create the first admin'
  if (!password) return 'ADMIN_EMAIL is set but ADMIN_PASSWORD is not: set both to create the first admin'
  const deployed = env === 'production' || env === 'staging'
  if (deployed && (password.length < DEPLOYED_MIN_LENGTH || password === EXAMPLE_PASSWORD)) {
    return `NODE_ENV=${env} needs ADMIN_PASSWORD of at least ${DEPLOYED_MIN_LENGTH} characters, not the README's example`
  }
  return undefined
}

/** Whether a user holds any administrative role (`_roles.yaml`). */
const adminExists = async (app: Application) => {
  const roles = administrativeRoles(app)
  if (!roles.length) return false
  const found = await app
    .get('knex')('users')
    .where((query) => {
      for (const role of roles) query.orWhereRaw('roles @> ?::jsonb', [JSON.stringify([role])])
    })
    .first('id')
  return Boolean(found)
}

/**
 * The first run's admin: with `ADMIN_EMAIL` and `ADMIN_PASSWORD` set and no admin in the database, creates
 * that admin (through the users service, so the password policy, hashing and audit apply). Idempotent: once
 * any admin exists it does nothing, so the variables may stay set. The password is never logged.
 */
export const ensureFirstAdmin = async (app: Application) => {
  const settings: FirstAdminSettings = app.get('firstAdmin') ?? { email: '', password: '' }
  const problem = firstAdminProblem(settings)
  if (problem) throw new Error(problem)
  if (!settings.email) return undefined
  const [role] = administrativeRoles(app)
  if (!role)
    throw new Error('ADMIN_EMAIL is set but no role is declared `administrative: true` (_roles.yaml)')
  const logger = app.get('logger')
  if (await adminExists(app)) {
    logger.debug({ email: settings.email }, 'an admin exists: ADMIN_EMAIL is left alone')
    return undefined
  }
  const taken = await app.get('knex')('users').where({ email: settings.email.toLowerCase() }).first('id')
  if (taken) {
    // Never promote an existing account by configuration: whoever registered it holds its password.
    throw new Error(
      `ADMIN_EMAIL ${settings.email} belongs to an existing user who is not an admin; choose another email, ` +
        'or give that user the admin role with an admin account'
    )
  }
  try {
    const user = await app.service('users').create({
      email: settings.email,
      password: settings.password,
      name: settings.email.split('@')[0],
      // The check keeps users.roles equal to the roles _roles.yaml declares, `role` among them.
      roles: [role] as UserData['roles']
    })
    logger.info({ userId: user.id, email: user.email }, 'created the first admin from ADMIN_EMAIL')
    return user.id as number
  } catch (error) {
    // Another instance starting at the same moment created it first.
    if (error instanceof Conflict && (await adminExists(app))) return undefined
    throw new Error(`ADMIN_EMAIL / ADMIN_PASSWORD: ${describe(error)}`)
  }
}

const describe = (error: any) =>
  error?.errors?.length
    ? error.errors.map((e: any) => `${e.field} ${e.message}`).join('; ')
    : (error?.message ?? String(error))

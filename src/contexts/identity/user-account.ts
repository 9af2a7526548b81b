import type { LocalStrategy } from '@feathersjs/authentication-local'
import type { HookContext } from '@feathersjs/feathers'
import type { Behaviour } from '../../engine/runtime/behaviour'
import { audit } from '../../auth/audit'
import { revokeSessions } from '../../auth/sessions'
import { requestInfo } from '../../auth/request-info'
import { PASSWORD_MAX_BYTES } from '../../auth/local'
import { COUNTED, declaredLimiter } from '../../input/declared-rate-limits'
import { isAdministrator } from '../../auth/administrators'
import { invalid } from '../../engine/errors'

const assertPasswordPolicy = (password: unknown, email: unknown) => {
  // Named here; src/auth/local.ts refuses any longer password it is asked to hash, whatever the route.
  if (typeof password === 'string' && Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) {
    throw invalid('password', `must NOT be longer than ${PASSWORD_MAX_BYTES} bytes (UTF-8)`)
  }
  if (
    typeof password === 'string' &&
    typeof email === 'string' &&
    password.trim().toLowerCase() === email.toLowerCase()
  ) {
    throw invalid('password', 'must not be the email address')
  }
}

const local = (context: HookContext) =>
  context.app.defaultAuthentication!().getStrategy('local') as LocalStrategy

/**
 * Account rules no declaration expresses: the password is not the email; changing your own email or
 * password needs `currentPassword`; a new password ends your other sessions; email, password and role
 * changes are audited.
 */
export const userAccount: Behaviour = {
  description: 'password policy, current password for credential changes, session revocation, audit',
  around: {
    create: [
      async (context, next) => {
        // Registration is rate-limited per client address as users.yaml declares (`rateLimit`); admins
        // creating users are not. Counted here once the caller is known; declared-rate-limits.ts counts the rest.
        const kind = declaredLimiter(context)
        if (kind && context.params.provider && !isAdministrator(context.app, context.params.user)) {
          context.params[COUNTED] = true
          await context.app.get('rateLimiter').consume(kind, requestInfo(context.params).ip ?? 'unknown')
        }
        assertPasswordPolicy(context.data.password, context.data.email)
        await next()
        const subject = { subjectType: 'users', subjectId: context.result.id }
        await audit(
          context.app,
          { action: 'user.create', ...subject, details: { roles: context.result.roles } },
          context.params
        )
      }
    ],
    remove: [
      async (context, next) => {
        await next()
        const subject = { subjectType: 'users', subjectId: context.result.id }
        await audit(
          context.app,
          { action: 'user.delete', ...subject, details: { email: context.result.email } },
          context.params
        )
      }
    ],
    patch: [
      async (context, next) => {
        const { data, params } = context
        // Within the caller's row scope: someone else's record is a 404 before any rule can say anything.
        const before = await context.self._get(context.id, {
          query: params.query,
          transaction: params.transaction
        })
        const changesCredentials = data.email !== undefined || data.password !== undefined
        if (params.provider && changesCredentials && params.user?.id === before.id) {
          if (typeof data.currentPassword !== 'string')
            throw invalid('currentPassword', 'is required to change email or password')
          const limiter = context.app.get('rateLimiter')
          await limiter.assertAllowed('loginAccount', before.email)
          try {
            await local(context).comparePassword(before, data.currentPassword)
          } catch {
            await limiter.consume('loginAccount', before.email)
            throw invalid('currentPassword', 'is not correct')
          }
        }
        if (data.password !== undefined) assertPasswordPolicy(data.password, data.email ?? before.email)
        await next()
        const subject = { subjectType: 'users', subjectId: before.id }
        if (data.password !== undefined) {
          const currentSession = params.authentication?.payload?.sid
          await revokeSessions(
            context.app,
            { userId: before.id, ...(currentSession && { id: { $ne: currentSession } }) },
            'password change',
            params
          )
          await audit(context.app, { action: 'password.change', ...subject }, params)
        }
        if (data.email !== undefined && data.email !== before.email) {
          await audit(
            context.app,
            { action: 'email.change', ...subject, details: { from: before.email, to: data.email } },
            params
          )
        }
        if (
          data.roles !== undefined &&
          JSON.stringify(context.result.roles) !== JSON.stringify(before.roles)
        ) {
          await audit(
            context.app,
            { action: 'roles.change', ...subject, details: { from: before.roles, to: context.result.roles } },
            params
          )
        }
      }
    ]
  }
}

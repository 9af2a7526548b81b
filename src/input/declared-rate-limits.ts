import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { Application } from '../declarations'
import type { ResourceDeclaration } from '../engine/declarations/declaration'
import type { LimitKind } from '../auth/rate-limit'
import { requestInfo } from '../auth/request-info'
import { isAdministrator } from '../auth/administrators'

/** Set once a rate-limited attempt has been counted (src/contexts/identity/user-account.ts counts those it sees). */
export const COUNTED = 'registrationCounted'

/** The limiter a resource's declaration names for this method (`rateLimit: { create: registration }`). */
export const declaredLimiter = (context: HookContext): LimitKind | undefined => {
  const resource = (context.self as { resource?: ResourceDeclaration } | undefined)?.resource
  return resource?.rateLimit?.[context.method as keyof ResourceDeclaration['rateLimit']] as
    LimitKind | undefined
}

/**
 * Every call of a method the declarations rate-limit (users' `create`: registrations) counts toward the
 * per-address limit, also one refused before the resource's own hooks run (an invalid body, a wrong token),
 * and an anonymous address over the limit is turned away before any other work. Administrators are not limited.
 */
export const declaredRateLimits = (app: Application) => async (context: HookContext, next: NextFunction) => {
  const kind = context.params.provider ? declaredLimiter(context) : undefined
  if (!kind) return next()
  const limiter = app.get('rateLimiter')
  const address = requestInfo(context.params).ip ?? 'unknown'
  if (!context.params.authentication) await limiter.assertAllowed(kind, address)
  try {
    await next()
  } catch (error) {
    if (!context.params[COUNTED] && !isAdministrator(app, context.params.user)) {
      context.params[COUNTED] = true
      await limiter.consume(kind, address).catch(() => undefined)
    }
    throw error
  }
}

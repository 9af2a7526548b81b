import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { Application } from '../declarations'
import { requestInfo } from '../auth/request-info'

/** Set once a registration attempt has been counted (src/contexts/identity/user-account.ts counts those it sees). */
export const COUNTED = 'registrationCounted'

const registers = (context: HookContext) =>
  context.method === 'create' && (context.self as any)?.resource?.behaviours?.includes('userAccount')

/**
 * Every registration attempt from a client counts toward the per-address limit, also one refused before the
 * account behaviour runs (an invalid body, a wrong token), and an address over the limit is turned away
 * before any other work. Admins creating users are not limited.
 */
export const registrationAttempts =
  (app: Application) => async (context: HookContext, next: NextFunction) => {
    if (!context.params.provider || !registers(context)) return next()
    const limiter = app.get('rateLimiter')
    const address = requestInfo(context.params).ip ?? 'unknown'
    if (!context.params.authentication) await limiter.assertAllowed('registration', address)
    try {
      await next()
    } catch (error) {
      if (!context.params[COUNTED] && !context.params.user?.roles?.includes('admin')) {
        context.params[COUNTED] = true
        await limiter.consume('registration', address).catch(() => undefined)
      }
      throw error
    }
  }

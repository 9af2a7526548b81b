import { authenticate } from '@feathersjs/authentication'
import type { HookContext, NextFunction } from '@feathersjs/feathers'

const credentials = authenticate('jwt', 'apiKey')

/**
 * Authenticates every external call that carries credentials (JWT or API key), so public methods still
 * know an admin from an anonymous caller; whether a method needs an identity at all is the authorize
 * hook's decision. Socket calls are checked again each time: a revoked session, a revoked key or a changed
 * role counts at once, not at the next login.
 */
export const authenticateIfPresent = async (context: HookContext, next: NextFunction) => {
  const { params } = context
  if (params.provider && params.authentication) await credentials(context)
  await next()
}

import { authenticate } from '@feathersjs/authentication'
import type { HookContext, NextFunction } from '@feathersjs/feathers'

const jwt = authenticate('jwt')

/**
 * Authenticates every external call that carries credentials, so public methods still know an admin from
 * an anonymous caller; whether a method needs an identity at all is the authorize hook's decision.
 */
export const authenticateIfPresent = async (context: HookContext, next: NextFunction) => {
  const { params } = context
  if (params.provider && params.authentication && !params.user) await jwt(context)
  await next()
}

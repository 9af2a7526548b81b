import type { NextFunction } from '@feathersjs/feathers'
import type { HookContext } from '../../declarations'
import type { MethodName } from '../declarations/declaration'

export type AroundHook = (context: HookContext, next: NextFunction) => Promise<void>

/**
 * Named domain logic a declaration refers to (`behaviours: [name]`). Its hooks run after the shared
 * pipeline — authenticated, authorized, validated — inside the method's transaction
 * (`context.params.transaction.trx`), so everything it writes commits or rolls back with the method.
 */
export interface Behaviour {
  description: string
  around: Partial<Record<MethodName, AroundHook[]>>
}

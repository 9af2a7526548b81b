import type { Params } from '@feathersjs/feathers'
import type { Knex } from 'knex'
import type { Application } from '../../declarations'
import type { ResourceDeclaration } from '../declarations/declaration'

/** The caller's params inside the method's transaction: pass them on (`transaction`) to write in it. */
export type StepParams = Params & {
  transaction: { trx: Knex.Transaction }
  user?: { id: number; roles?: string[] }
  /** An API key's call (src/auth/api-keys.ts): its scopes decided access. */
  apiKey?: unknown
}

/** The change of state a guard or an effect is asked about: `create` (from null) on a new record. */
export interface TransitionTaken {
  name: string
  from: string | null
  to: string
}

/** What a guard sees: the row as locked and the changes asked for, before anything is written. */
export interface GuardContext {
  app: Application
  /** The caller's params, with the method's transaction (`params.transaction.trx`). */
  params: StepParams
  resource: ResourceDeclaration
  transition: TransitionTaken
  /** The stored row, locked for the rest of the transaction. */
  record: Record<string, any>
  /** The patch asked for (the state field included). */
  data: Record<string, any>
}

/** What an effect sees: the record before and after the change, in the same transaction. */
export interface EffectContext {
  app: Application
  params: StepParams
  resource: ResourceDeclaration
  transition: TransitionTaken
  /** The stored row before the change (undefined on create). */
  before: Record<string, any> | undefined
  /** The record as written (the method's result). */
  record: Record<string, any>
}

/**
 * A named rule a transition lists under `guards:`: it throws (a 409 naming the field or rule) to refuse the
 * transition, before anything is written. Declared requirements of a field's presence need no guard
 * (`requires:`).
 */
export type Guard = (context: GuardContext) => void | Promise<void>

/**
 * A named consequence a transition lists under `effects:` (or every transition, `states.effects`): it runs
 * after the change is written, inside the method's transaction, so it commits or rolls back with it. It
 * writes through services (internal calls: `params.transaction` passed on), never calls outside the
 * process while the transaction is open.
 */
export type Effect = (context: EffectContext) => Promise<void>

import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { Knex } from 'knex'
import { isMutation } from '../vocabulary'

/**
 * A call made inside someone else's transaction (a behaviour's nested call) holds its realtime event
 * until that transaction commits — and drops it on rollback. Top-level calls need nothing: their own
 * transaction has ended before Feathers emits.
 */
const publishAfterCommit = async (context: HookContext, next: NextFunction) => {
  const pending: Promise<unknown> | undefined = context.params.transaction.trx?.executionPromise
  await next()
  const event = context.event
  if (typeof event !== 'string' || !pending) return
  const records = Array.isArray(context.result) ? context.result : [context.result]
  context.event = null
  pending.then(
    () => records.forEach((record: unknown) => context.self.emit(event, record, context)),
    () => undefined
  )
}

/**
 * Every mutation runs in one transaction, handed to the adapter and to every behaviour and nested service
 * call through `params.transaction`. A call that already has one (a behaviour's nested call) joins it.
 */
export const inTransaction = async (context: HookContext, next: NextFunction) => {
  if (!isMutation(context.method)) return next()
  if (context.params.transaction) return publishAfterCommit(context, next)
  const knex: Knex = context.app.get('knex')
  // Through TableChanges: what the transaction wrote counts as changed once it has ended (totals caches).
  await context.app.get('tableChanges').transaction(knex, async (trx: Knex.Transaction) => {
    context.params.transaction = { trx }
    try {
      await next()
    } finally {
      delete context.params.transaction
    }
  })
}

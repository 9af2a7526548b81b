import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { Knex } from 'knex'

/**
 * Every mutation runs in one transaction, handed to the adapter and to every behaviour and nested service
 * call through `params.transaction`. A call that already has one (a behaviour's nested call) joins it.
 */
export const inTransaction = async (context: HookContext, next: NextFunction) => {
  if (context.params.transaction || !['create', 'update', 'patch', 'remove'].includes(context.method)) {
    return next()
  }
  const knex: Knex = context.app.get('knex')
  await knex.transaction(async (trx) => {
    context.params.transaction = { trx }
    try {
      await next()
    } finally {
      delete context.params.transaction
    }
  })
}

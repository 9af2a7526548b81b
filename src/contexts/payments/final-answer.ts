import type { HookContext } from '../../declarations'
import { afterCommit } from '../../engine/runtime/after-commit'

/**
 * A create's answer as it is once the work after its commit has run (the provider's answer recorded): registered
 * after the command's own work, so it reads the record last. The record as committed stands if that read fails.
 */
export const answerAfterCommit = (context: HookContext, path: 'payments' | 'refunds') => {
  const { id } = context.result
  afterCommit(context.app, context.params.transaction.trx, `${path} ${id}: the answer`, async () => {
    context.result = await context.app.service(path).get(id)
  })
}

import type { HookContext } from '../../declarations'
import { afterCommit, answerErrorAfterCommit } from '../../engine/runtime/after-commit'

/**
 * A create's answer as it is once the work after its commit has run (the provider's answer recorded): registered
 * after the command's own work, so it reads the record last. The record as committed stands if that read fails.
 * `errorFor` may turn the record read into an error answer (the record stays committed).
 */
export const answerAfterCommit = (
  context: HookContext,
  path: 'payments' | 'refunds',
  errorFor?: (record: Record<string, any>) => Error | undefined
) => {
  const { id } = context.result
  const { trx } = context.params.transaction
  afterCommit(context.app, trx, `${path} ${id}: the answer`, async () => {
    context.result = await context.app.service(path).get(id)
    const error = errorFor?.(context.result)
    if (error) answerErrorAfterCommit(trx, error)
  })
}

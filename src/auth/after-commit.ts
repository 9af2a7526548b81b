import type { Params } from '@feathersjs/feathers'

/** Runs `effect` once the caller's transaction has committed (at once when there is none; never on rollback). */
export const afterCommit = (params: Params & { transaction?: { trx?: any } }, effect: () => void) => {
  const pending: Promise<unknown> | undefined = params.transaction?.trx?.executionPromise
  if (!pending) return effect()
  pending.then(effect, () => undefined)
}

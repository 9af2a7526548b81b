import type { Knex } from 'knex'

/** Per transaction, its after-commit work so far: resolves `false` when the transaction rolled back. */
const chains = new WeakMap<object, Promise<boolean>>()

/**
 * Work for after `trx` commits: a call outside the process (a payment provider) and the transaction of its own
 * that records the answer, so that no row lock is held while it waits (DESIGN.md, "external calls"). Runs once
 * the transaction has committed, in the order registered; a rollback drops it. The request or command that
 * opened the transaction waits for it (`afterCommitSettled`), so its answer can include the outcome. A failure
 * is logged, not thrown: work that must happen in the end has a reconciler that finds it left undone. `trx` is a
 * top-level transaction (the engine opens no savepoints; a savepoint's end is not a commit).
 */
export const afterCommit = (
  app: { get(key: string): any },
  trx: Knex.Transaction,
  name: string,
  work: () => Promise<void>
) => {
  const previous =
    chains.get(trx) ??
    trx.executionPromise.then(
      () => true,
      () => false
    )
  const next = previous.then(async (committed) => {
    if (!committed) return false
    try {
      await work()
    } catch (error) {
      app
        .get('logger')
        ?.error({ err: error, work: name }, 'work after a commit failed; a reconciler will retry it')
    }
    return true
  })
  chains.set(trx, next)
}

/** Resolves once the work registered on `trx` (if any) has run; never rejects. */
export const afterCommitSettled = async (trx: Knex.Transaction | undefined) => {
  if (trx) await chains.get(trx)
}

/** Per transaction, the error its request answers instead of its result, decided by work after the commit. */
const answerErrors = new WeakMap<object, Error>()

/**
 * Work after the commit decided that the request answers an error (a payment declined by its provider, a provider
 * unavailable): what was committed stays committed, and the error names it. The last one set wins.
 */
export const answerErrorAfterCommit = (trx: Knex.Transaction, error: Error) => {
  answerErrors.set(trx, error)
}

/** The error set by `answerErrorAfterCommit` for `trx` so far, left in place (for later work after the commit). */
export const peekAnswerError = (trx: Knex.Transaction): Error | undefined => answerErrors.get(trx)

/** The error set by `answerErrorAfterCommit` for `trx`, if any (read once the work has settled). */
export const takeAnswerError = (trx: Knex.Transaction | undefined) => {
  const error = trx && answerErrors.get(trx)
  if (error) answerErrors.delete(trx)
  return error
}

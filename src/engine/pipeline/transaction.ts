import type { NextFunction } from '@feathersjs/feathers'
import type { HookContext } from '../../declarations'
import type { Knex } from 'knex'
import { isMutation } from '../vocabulary'
import { afterCommitSettled, takeAnswerError } from '../runtime/after-commit'
import { writeOutbox, type Change } from '../events/outbox'

interface HeldEvent {
  event: string
  record: unknown
  context: HookContext
  /** Target states of the declared transitions this record took in the transaction. */
  transitions: string[]
}

/** Per transaction, the events its nested calls hold until the commit: one per record, in first-write order. */
const heldEvents = new WeakMap<object, Map<string, HeldEvent>>()

const transitionOf = (context: HookContext): string[] =>
  context.params.transition?.to ? [context.params.transition.to] : []

const hold = (context: HookContext, trx: Knex.Transaction, event: string, record: any) => {
  let held = heldEvents.get(trx)
  if (!held) {
    const queue = new Map<string, HeldEvent>()
    heldEvents.set(trx, queue)
    trx.executionPromise.then(
      () => queue.forEach((each) => each.context.self.emit(each.event, each.record, each.context)),
      () => undefined
    )
    held = queue
  }
  const key = `${context.path}/${record?.id}`
  const earlier = held.get(key)
  // A record created and then changed in the same transaction is, to a client, one new record.
  const merged = earlier?.event === 'created' && event !== 'removed' ? 'created' : event
  const transitions = [...(earlier?.transitions ?? []), ...transitionOf(context)]
  held.set(key, { event: merged, record, context, transitions })
}

/** The request's own records (Feathers emits their realtime event after the commit), as changes. */
const ownChanges = (own: HookContext | undefined, held: Map<string, HeldEvent> | undefined): Change[] => {
  if (!own || typeof own.event !== 'string') return []
  const answered = Array.isArray(own.result) ? own.result : [own.result]
  return answered.map((record: any) => {
    const key = `${own.path}/${record?.id}`
    const earlier = held?.get(key)
    // Not announced twice: the held event of the same record gives way to the request's own.
    held?.delete(key)
    return {
      path: own.path,
      event: earlier?.event === 'created' && own.event !== 'removed' ? 'created' : own.event!,
      record,
      transitions: [...(earlier?.transitions ?? []), ...transitionOf(own)]
    }
  })
}

/**
 * A call made inside someone else's transaction (a behaviour's or a command's nested call) holds its
 * realtime event until that transaction commits — and drops it on rollback. Several writes of one record in
 * one transaction make one event, with the record as it was last written. Top-level calls need nothing:
 * their own transaction has ended before Feathers emits.
 */
/**
 * Just before the commit: each held event's record is brought up to date by its write's `refreshEvent` (default
 * relations written later in the transaction: an order's lines), the records the request answers itself
 * (Feathers emits their event after the commit) are not announced twice, and every change is written to the
 * event outbox in the transaction (src/engine/events/outbox.ts).
 */
export const settleHeldEvents = async (trx: Knex.Transaction, own?: HookContext) => {
  const held = heldEvents.get(trx)
  const changes = ownChanges(own, held)
  if (held) for (const { context } of new Set(held.values())) await context.refreshEvent?.()
  for (const { event, record, context, transitions } of held?.values() ?? []) {
    changes.push({ path: context.path, event, record, transitions })
  }
  const app = own?.app ?? held?.values().next().value?.context.app
  if (app && changes.length) await writeOutbox(app, trx, changes)
}

const publishAfterCommit = async (context: HookContext, next: NextFunction) => {
  const trx: Knex.Transaction | undefined = context.params.transaction.trx
  await next()
  const event = context.event
  if (typeof event !== 'string' || !trx?.executionPromise) return
  const records = Array.isArray(context.result) ? context.result : [context.result]
  context.event = null
  for (const record of records) hold(context, trx, event, record)
}

/**
 * Every mutation runs in one transaction, handed to the adapter and to every behaviour and nested service
 * call through `params.transaction`. A call that already has one (a behaviour's nested call) joins it.
 */
export const inTransaction = async (context: HookContext, next: NextFunction) => {
  if (!isMutation(context.method)) return next()
  if (context.params.transaction) return publishAfterCommit(context, next)
  const knex: Knex = context.app.get('knex')
  let opened: Knex.Transaction | undefined
  // Through TableChanges: what the transaction wrote counts as changed once it has ended (totals caches).
  await context.app.get('tableChanges').transaction(knex, async (trx: Knex.Transaction) => {
    opened = trx
    context.params.transaction = { trx }
    try {
      await next()
      await settleHeldEvents(trx, context)
    } finally {
      delete context.params.transaction
    }
  })
  // What the method left for after its commit (a payment provider's call) is part of its answer, even an error.
  await afterCommitSettled(opened)
  const answerError = takeAnswerError(opened)
  if (answerError) throw answerError
}

import type { Application } from '../../declarations'
import type { StepParams } from '../runtime/guards-and-effects'
import type { Records } from '../runtime/records'
import type { CloudEvent } from './cloud-event'

/** What a consumer's `handle` gets besides the event: the transaction its effect commits in, once. */
export interface ConsumerContext {
  app: Application
  /** Internal params with the transaction (`params.transaction.trx`): pass them on to write in it. */
  params: StepParams
  /** Writes through the resources' rules, in this transaction (src/engine/runtime/records.ts). */
  records: Records
}

/**
 * A durable, idempotent reader of the event stream (src/engine/events/consume.ts). Each event of the types it
 * names is handled in one transaction that also records it as handled by this consumer (`consumed_events`):
 * a redelivery (a crash before the ack, a republish) finds it handled and does nothing, so its effect happens
 * once. `handle` must not call outside the process: it records work for a job to do (a webhook delivery).
 */
export interface Consumer {
  description: string
  /** Event types it reads: exact (`orders.paid`), a resource's every type (`orders.*`) or `*`. */
  events: readonly string[]
  handle(event: CloudEvent, context: ConsumerContext): Promise<void>
}

/**
 * Periodic work of the worker (reconciling payments, expiring orders, delivering webhooks). Several workers may
 * run the same job at once: each run claims its rows (locks, conditional updates), so nothing is done twice.
 */
export interface Job {
  description: string
  /** Milliseconds between runs, from the configuration; 0 turns the job off. */
  intervalMs(app: Application): number
  run(app: Application): Promise<void>
}

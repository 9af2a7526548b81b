import type { Knex } from 'knex'
import type { Application } from '../../declarations'
import type { Job } from '../../engine/events/consumer'
import { OPEN_STATUSES } from './order-payments'
import { reconcilePayment } from './payment-calls'
import { reconcileRefund } from './refund-calls'

/** How many payments or refunds one query reads; a run goes through all of them, batch after batch. */
export const RECONCILE_BATCH = 100

export interface ReconcileOptions {
  /** Only what has not changed for this long; default `payments.reconcileAfterSeconds`. */
  olderThanSeconds?: number
  batch?: number
}

export interface Reconciled {
  /** Payments and refunds whose provider answer was recorded in this run. */
  payments: number
  refunds: number
}

/** Every row of `table` in `statuses` unchanged for `olderThanSeconds`, in id order, a batch at a time. */
async function* stale(
  app: Application,
  table: 'payments' | 'refunds',
  statuses: readonly string[],
  { olderThanSeconds, batch }: Required<ReconcileOptions>
) {
  const knex: Knex = app.get('knex')
  // A payment's last change (a pending answer with its reference counts); a refund only has its creation.
  const changed = table === 'payments' ? 'updatedAt' : 'createdAt'
  let after = 0
  for (;;) {
    const rows = await knex(table)
      .whereIn('status', [...statuses])
      .where(changed, '<', knex.raw(`now() - ?::float8 * interval '1 second'`, [olderThanSeconds]))
      .where('id', '>', after)
      .orderBy('id')
      .limit(batch)
    yield* rows
    if (rows.length < batch) return
    after = rows[rows.length - 1].id
  }
}

/**
 * Settles what a crash or a timeout left between our record and the provider's answer: payments still open
 * and refunds still pending after `olderThanSeconds`, by asking the provider about their idempotency keys
 * (src/contexts/payments/payment-calls.ts, refund-calls.ts). Several workers may run it at once: every
 * provider call is idempotent by key and every answer is recorded by a command that locks the rows and changes
 * only what is still open, so nothing is charged, refunded or recorded twice.
 */
export const reconcile = async (app: Application, options: ReconcileOptions = {}): Promise<Reconciled> => {
  const settings = {
    olderThanSeconds: options.olderThanSeconds ?? app.get('payments').reconcileAfterSeconds,
    batch: options.batch ?? RECONCILE_BATCH
  }
  const logger = app.get('logger')
  const done: Reconciled = { payments: 0, refunds: 0 }
  for await (const payment of stale(app, 'payments', OPEN_STATUSES, settings)) {
    try {
      const order = await app.get('knex')('orders').where({ id: payment.orderId }).first('status')
      if (await reconcilePayment(app, payment, order.status)) done.payments++
    } catch (error) {
      logger?.error(
        { err: error, paymentId: payment.id },
        'reconciling a payment failed; the next run retries'
      )
    }
  }
  for await (const refund of stale(app, 'refunds', ['pending'], settings)) {
    try {
      if (await reconcileRefund(app, refund)) done.refunds++
    } catch (error) {
      logger?.error({ err: error, refundId: refund.id }, 'reconciling a refund failed; the next run retries')
    }
  }
  if (done.payments || done.refunds) logger?.info(done, 'payments reconciled with the provider')
  return done
}

/** The reconciler as a worker job (src/engine/events/consumer.ts), every `payments.reconcileIntervalMs`. */
export const reconcilePayments: Job = {
  description:
    'settles payments and refunds left pending (a crash, a timeout) by asking the provider about their keys',
  intervalMs: (app) => app.get('payments').reconcileIntervalMs,
  run: async (app) => {
    await reconcile(app)
  }
}

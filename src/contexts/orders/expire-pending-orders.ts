import type { Knex } from 'knex'
import type { Application } from '../../declarations'
import type { Job } from '../../engine/events/consumer'
import { durationMs } from '../../durations'
import { expireOrder, paymentInFlight } from './expire-order'

/** Candidates read per query; a run goes on until none is left. */
const BATCH = 100

/** `ORDER_PENDING_TTL` in milliseconds; 0: orders never expire. */
export const pendingTtlMs = (app: Application) => durationMs(String(app.get('orders')?.pendingTtl ?? '0'))

/** Pending orders created before `cutoff`, after `afterId`, without a payment in flight: by id, a batch. */
const candidates = (knex: Knex, cutoff: Date, afterId: number) =>
  knex('orders')
    .where({ status: 'pending' })
    .where('createdAt', '<', cutoff)
    .where('id', '>', afterId)
    .whereNotExists(paymentInFlight(knex, knex.ref('orders.id'), cutoff).select(knex.raw('1')))
    .orderBy('id')
    .limit(BATCH)
    .pluck('id')

/**
 * Cancels, as `expired`, every pending order older than the TTL; each in its own transaction (`expireOrder`), so
 * one failure leaves the others expired and a crash loses at most the order at hand. Answers how many it
 * expired. Another worker running it at the same time expires each order once (the command locks and re-checks).
 */
export const expirePendingOrders = async (app: Application, ttlMs = pendingTtlMs(app)) => {
  if (!ttlMs) return 0
  const knex: Knex = app.get('knex')
  const cutoff = new Date(Date.now() - ttlMs)
  let expired = 0
  let afterId = 0
  for (;;) {
    const ids: number[] = await candidates(knex, cutoff, afterId)
    for (const orderId of ids) {
      try {
        if (await expireOrder(app, { orderId, cutoff }, {})) expired++
      } catch (error) {
        // Left pending: the next run tries again; the others are not held up by it.
        app.get('logger')?.warn({ err: error, orderId }, 'expiring an order failed')
      }
    }
    if (ids.length < BATCH) return expired
    afterId = ids[ids.length - 1]
  }
}

/** The workers' periodic run (`orders.expiryIntervalMs`); off when `ORDER_PENDING_TTL` is 0. */
export const expirePendingOrdersJob: Job = {
  description: 'Cancels pending orders left unpaid longer than ORDER_PENDING_TTL (reason: expired)',
  intervalMs: (app) => (pendingTtlMs(app) ? app.get('orders').expiryIntervalMs : 0),
  run: async (app) => {
    await expirePendingOrders(app)
  }
}

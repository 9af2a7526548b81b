import type { Knex } from 'knex'
import type { Application } from '../../declarations'

/** A delivery claimed for one attempt, with what sending it needs from its subscription. */
export interface ClaimedDelivery {
  id: number
  eventId: string
  payload: Record<string, any>
  /** Attempts made so far, this one included (counted when claimed, so a crash mid-send still counts). */
  attempts: number
  /** The claim's mark: only the claimant may record the outcome while it holds. */
  claimedUntil: string
  url: string
  signingSecret: string
}

/** How long a claim outlives the attempt's timeout before another worker may take the delivery over. */
const CLAIM_MARGIN_MS = 30_000

/**
 * Claims up to `limit` due deliveries of active subscriptions with one conditional UPDATE … RETURNING: rows
 * another worker has locked are skipped (SKIP LOCKED) and rows it has claimed are not due, so no attempt is
 * sent twice. A worker that dies mid-attempt leaves a claim that expires: the delivery is tried again then.
 */
export const claimDueDeliveries = async (app: Application, limit: number): Promise<ClaimedDelivery[]> => {
  const knex: Knex = app.get('knex')
  const now = new Date()
  const claimedUntil = new Date(now.getTime() + app.get('webhooks').timeoutMs + CLAIM_MARGIN_MS).toISOString()
  const { rows } = await knex.raw(
    `UPDATE webhook_deliveries AS d
        SET "claimedUntil" = :claimedUntil, attempts = d.attempts + 1
       FROM webhook_subscriptions AS s
      WHERE s.id = d."subscriptionId"
        AND d.id IN (
          SELECT due.id FROM webhook_deliveries AS due
            JOIN webhook_subscriptions AS target ON target.id = due."subscriptionId" AND target.active
           WHERE due.status = 'pending' AND due."nextAttemptAt" <= :now
             AND (due."claimedUntil" IS NULL OR due."claimedUntil" < :now)
           ORDER BY due."nextAttemptAt", due.id
           LIMIT :limit
             FOR UPDATE OF due SKIP LOCKED)
      RETURNING d.id, d."eventId", d.payload, d.attempts, s.url, s."signingSecret"`,
    { claimedUntil, now: now.toISOString(), limit }
  )
  return rows.map((row: Omit<ClaimedDelivery, 'claimedUntil'>) => ({ ...row, claimedUntil }))
}

/**
 * Pending deliveries of a deactivated subscription stop: they fail, saying why (an admin re-delivers them after
 * reactivating it). One statement for all of them, rather than one transition each: the `fail` transition has
 * no effects to run and deliveries publish no events. An attempt in flight is left to record its outcome.
 */
export const stopInactiveDeliveries = async (app: Application) => {
  const knex: Knex = app.get('knex')
  const now = new Date().toISOString()
  await knex('webhook_deliveries')
    .where({ status: 'pending' })
    .whereIn('subscriptionId', knex('webhook_subscriptions').select('id').where({ active: false }))
    .where((claim) => claim.whereNull('claimedUntil').orWhere('claimedUntil', '<', now))
    .update({
      status: 'failed',
      lastError: 'stopped: the subscription is inactive',
      nextAttemptAt: null,
      updatedAt: now,
      version: knex.raw('version + 1')
    })
}

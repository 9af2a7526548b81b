import { Conflict } from '@feathersjs/errors'
import type { Effect, Guard } from '../../engine/runtime/guards-and-effects'

/** A delivery is re-delivered only to an active subscription (an inactive one would stop it again at once). */
export const subscriptionActive: Guard = async ({ params, record }) => {
  const subscription = await params.transaction
    .trx('webhook_subscriptions')
    .where({ id: record.subscriptionId })
    .first('active')
  if (!subscription?.active) {
    throw new Conflict(
      `Webhook subscription ${record.subscriptionId} is inactive: activate it (PATCH {active: true}) first`,
      { field: 'subscriptionId', rule: 'subscriptionActive' }
    )
  }
}

/**
 * `redeliver` (PATCH {status: 'pending'}): a new round of attempts now, with the whole retry schedule again
 * (`attempts` restarts at 0). The last status code and error stay until the next attempt replaces them.
 */
export const scheduleRedelivery: Effect = async ({ app, params, record }) => {
  await app
    .service('webhook-deliveries')
    .patch(
      record.id,
      { attempts: 0, nextAttemptAt: new Date().toISOString(), deliveredAt: null, claimedUntil: null },
      { transaction: params.transaction }
    )
}

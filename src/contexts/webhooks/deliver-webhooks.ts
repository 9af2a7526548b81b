import type { Application } from '../../declarations'
import type { Job } from '../../engine/events/consumer'
import { claimDueDeliveries, stopInactiveDeliveries, type ClaimedDelivery } from './claim-deliveries'
import { recordWebhookAttempt } from './record-attempt'
import { sendWebhook } from './send-webhook'
import { webhookHeaders } from './standard-webhooks'
import { privateTargetsAllowed } from './webhook-target'

/** Deliveries sent at once; a run takes at most BATCHES of them, so one run never lasts long. */
const BATCH = 10
const BATCHES = 10

/** The CloudEvent as JSON, its attributes in the spec's order (the stored jsonb keeps keys in its own order). */
const bodyOf = ({ specversion, id, source, type, time, subject, datacontenttype, data, ...rest }: any) =>
  JSON.stringify({ specversion, id, source, type, time, subject, datacontenttype, ...rest, data })

/** One attempt: signed now, sent outside any transaction, its outcome recorded in a transaction of its own. */
export const attemptDelivery = async (app: Application, delivery: ClaimedDelivery) => {
  const { timeoutMs } = app.get('webhooks')
  const body = bodyOf(delivery.payload)
  const timestamp = Math.floor(Date.now() / 1000)
  const outcome = await sendWebhook({
    url: delivery.url,
    body,
    headers: webhookHeaders(delivery.signingSecret, delivery.eventId, timestamp, body),
    timeoutMs,
    allowPrivate: privateTargetsAllowed(app)
  })
  return recordWebhookAttempt(app, { delivery, outcome }, {})
}

/**
 * `deliverWebhooks`: stops the pending deliveries of deactivated subscriptions, then sends what is due. Several
 * workers may run it at once: each attempt is claimed by one of them (src/contexts/webhooks/claim-deliveries.ts).
 */
export const deliverWebhooks: Job = {
  description: 'sends due webhook deliveries, signed, with retries on the configured schedule',
  intervalMs: (app) => app.get('webhooks').intervalMs,
  run: async (app) => {
    // Most runs find nothing pending: one read, no write.
    if (!(await app.get('knex')('webhook_deliveries').where({ status: 'pending' }).first('id'))) return
    await stopInactiveDeliveries(app)
    for (let batch = 0; batch < BATCHES; batch++) {
      const claimed = await claimDueDeliveries(app, BATCH)
      const results = await Promise.allSettled(claimed.map((delivery) => attemptDelivery(app, delivery)))
      // An outcome not recorded (the database failed) leaves the claim to expire: the attempt is made again.
      results.forEach((result, index) => {
        if (result.status === 'rejected') {
          app
            .get('logger')
            ?.error({ err: result.reason, deliveryId: claimed[index].id }, 'webhook attempt not recorded')
        }
      })
      if (claimed.length < BATCH) return
    }
  }
}

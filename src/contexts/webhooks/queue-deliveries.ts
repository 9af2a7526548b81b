import type { Consumer } from '../../engine/events/consumer'
import { matchesType } from '../../engine/events/cloud-event'

/**
 * One `webhook-deliveries` row per event and active subscription whose patterns match its type, written in the
 * consumer's transaction: its mark makes each event queue each delivery once, however often it arrives. Sending
 * is the `deliverWebhooks` job's work, outside any transaction.
 */
export const queueWebhookDeliveries: Consumer = {
  description: 'queues a webhook delivery for each active subscription to the event type',
  events: ['*'],
  handle: async (event, { params, records }) => {
    const subscriptions: { id: number; events: string[] }[] = await params.transaction
      .trx('webhook_subscriptions')
      .where({ active: true })
      .select('id', 'events')
    const now = new Date().toISOString()
    for (const subscription of subscriptions.filter((each) => matchesType(each.events, event.type))) {
      await records.create('webhook-deliveries', {
        subscriptionId: subscription.id,
        eventId: event.id,
        eventType: event.type,
        payload: event,
        status: 'pending',
        nextAttemptAt: now
      })
    }
  }
}

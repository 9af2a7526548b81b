import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { testServer } from '../../../../test/helpers/server'
import type { CloudEvent } from '../../../engine/events/cloud-event'
import { handleEvent } from '../../../engine/events/consume'
import { queueWebhookDeliveries } from '../queue-deliveries'
import { deliverWebhooks } from '../deliver-webhooks'

/** A CloudEvent as the outbox writes it, of `type` about record `subject`. */
export const cloudEvent = (type: string, data: Record<string, any> = {}, subject = '1'): CloudEvent => ({
  specversion: '1.0',
  id: randomUUID(),
  source: '/internal-api',
  type,
  time: new Date().toISOString(),
  subject,
  datacontenttype: 'application/json',
  data: { id: Number(subject), ...data }
})

/** The event handed to the consumer, as the bus would: once per event id. */
export const feed = async (event: CloudEvent) => {
  const { app } = await testServer()
  return handleEvent(app, 'queueWebhookDeliveries', queueWebhookDeliveries, event)
}

/** The deliveries of one event, as stored (hidden columns included). */
export const deliveriesOf = async (eventId: string) => {
  const { app } = await testServer()
  return app.get('knex')('webhook_deliveries').where({ eventId }).orderBy('id')
}

/**
 * Runs the delivery job (as a worker would, besides the one a test server may run on its own) until `done`
 * holds, or fails after `ms`.
 */
export const deliverUntil = async (done: () => Promise<boolean> | boolean, ms = 10_000) => {
  const { app } = await testServer()
  const end = Date.now() + ms
  while (Date.now() < end) {
    await deliverWebhooks.run(app)
    if (await done()) return
    await sleep(25)
  }
  throw new Error(`webhook deliveries did not settle within ${ms} ms`)
}

/** Webhook settings for the test, restored by the function returned. */
export const useWebhookSettings = async (settings: Record<string, unknown>) => {
  const { app } = await testServer()
  const original = app.get('webhooks')
  app.set('webhooks', { ...original, ...settings })
  return () => app.set('webhooks', original)
}

import { randomUUID } from 'node:crypto'
import type { CloudEvent } from '../../../engine/events/cloud-event'
import { handleEvent } from '../../../engine/events/consume'
import { testServer } from '../../../../test/helpers/server'
import { notifyCustomers } from '../notify-customers'

/** An event as the outbox writes it: a fresh id, the record as an admin reads it. */
export const cloudEvent = (type: string, data: Record<string, any>): CloudEvent => ({
  specversion: '1.0',
  id: randomUUID(),
  source: '/internal-api',
  type,
  time: new Date().toISOString(),
  subject: String(data.id),
  datacontenttype: 'application/json',
  data
})

/** Delivers one event to the consumer, as the workers do: once per event id, in its own transaction. */
export const deliver = async (event: CloudEvent) =>
  handleEvent((await testServer()).app, 'notifyCustomers', notifyCustomers, event)

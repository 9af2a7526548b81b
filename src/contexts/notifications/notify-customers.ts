import type { Consumer } from '../../engine/events/consumer'
import { orderMessages, paymentMessages, type Message } from './messages'

/** What a notification says and is about, from one event's record (an order or a payment). */
const compose = (type: string, record: Record<string, any>) => {
  if (orderMessages[type]) {
    return { message: orderMessages[type](record as any), data: { orderId: record.id } }
  }
  if (paymentMessages[type]) {
    return {
      message: paymentMessages[type](record as any),
      data: { orderId: record.orderId, paymentId: record.id }
    }
  }
  return undefined
}

/**
 * `notifyCustomers`: the owner of an order is told when it is paid, shipped, delivered, cancelled (also when it
 * expired unpaid), refunded in full or in part, and when a payment for it fails. One notification per event,
 * written in the consumer's transaction (src/engine/events/consume.ts marks the event handled in it), so a
 * redelivered event writes none; the engine's channels push it to its owner's sockets after the commit.
 */
export const notifyCustomers: Consumer = {
  description: 'Tells customers about their orders and payments (the notifications resource)',
  events: [...Object.keys(orderMessages), ...Object.keys(paymentMessages)],
  async handle(event, { app, params, records }) {
    const composed = compose(event.type, event.data)
    const userId = event.data.userId
    if (!composed || !Number.isInteger(userId)) return
    // A user removed since the event was written has nobody to tell (their notifications went with them).
    const owner = await params.transaction.trx('users').where({ id: userId }).first('id')
    if (!owner) {
      app.get('logger')?.info({ eventId: event.id, type: event.type, userId }, 'notification: no such user')
      return
    }
    const { title, body }: Message = composed.message
    await records.create('notifications', { userId, type: event.type, title, body, data: composed.data })
  }
}

import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { api, userWithRoles, type TestUser } from '../../../../test/helpers/server'
import { capturedPayment } from '../../../../test/helpers/commerce'
import { eventually } from '../../../../test/helpers/outbox'
import { startReceiver, type Receiver } from './receiver'
import { useWebhookSettings } from './support'

// No test hand here: the order's change goes through the outbox, the relay and the bus to the consumer, and the
// test server's own workers (WORKERS=inline) run the delivery job on its interval.
describe('webhooks: a real order change reaches the receiver through the outbox and the relay', () => {
  let admin: TestUser
  let customer: TestUser
  let receiver: Receiver
  let restore: () => void
  let subscription: any

  before(async () => {
    ;[admin, customer] = await Promise.all([userWithRoles(['admin']), userWithRoles(['customer'])])
    restore = await useWebhookSettings({ allowPrivateTargets: true })
    receiver = await startReceiver()
    const created = await api('POST', '/webhook-subscriptions', {
      token: admin.token,
      body: { url: receiver.url, events: ['orders.paid', 'payments.captured'], description: 'end to end' }
    })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    subscription = created.body
  })
  after(async () => {
    await api('DELETE', `/webhook-subscriptions/${subscription.id}`, { token: admin.token })
    restore()
    await receiver.close()
  })

  it('POST /payments: orders.paid and payments.captured arrive signed, once each, with the order lines', async () => {
    const { order, payment } = await capturedPayment(customer)
    const about = (type: string, id: number) =>
      receiver.received.filter((each) => {
        const event = JSON.parse(each.body)
        return event.type === type && event.subject === String(id)
      })
    await eventually(
      'both events at the receiver',
      async () =>
        about('orders.paid', order.id).length === 1 && about('payments.captured', payment.id).length === 1,
      15_000
    )

    const [paid] = about('orders.paid', order.id)
    const event = JSON.parse(paid.body)
    assert.equal(event.specversion, '1.0')
    assert.equal(paid.headers['webhook-id'], event.id)
    assert.equal(event.data.status, 'paid')
    assert.equal(event.data.items.length, 1)
    const key = Buffer.from(subscription.secret.slice('whsec_'.length), 'base64')
    const signed = `${paid.headers['webhook-id']}.${paid.headers['webhook-timestamp']}.${paid.body}`
    assert.equal(
      paid.headers['webhook-signature'],
      `v1,${createHmac('sha256', key).update(signed).digest('base64')}`
    )

    // Recorded just after the receiver answered.
    const delivery = () =>
      api('GET', `/webhook-deliveries?subscriptionId=${subscription.id}&eventId=${event.id}`, {
        token: admin.token
      })
    await eventually(
      'the delivery recorded',
      async () => (await delivery()).body.data[0]?.status === 'succeeded'
    )
    assert.equal((await delivery()).body.total, 1)
    // Events of types it did not ask for (orders.created, orders.patched) were not delivered.
    assert.deepEqual([...new Set(receiver.received.map((each) => JSON.parse(each.body).type))].sort(), [
      'orders.paid',
      'payments.captured'
    ])
  })
})

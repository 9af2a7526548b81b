import assert from 'node:assert/strict'
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { api, testServer, userWithRoles, type TestUser } from '../../../../test/helpers/server'
import { deliverWebhooks } from '../deliver-webhooks'
import { startReceiver, type Receiver } from './receiver'
import { cloudEvent, deliverUntil, deliveriesOf, feed, useWebhookSettings } from './support'

/** A receiver's check, written from the Standard Webhooks spec with node:crypto only (as in the docs). */
const verifyWebhook = (
  secret: string,
  headers: IncomingHttpHeaders,
  body: string,
  toleranceSeconds = 300
) => {
  const id = headers['webhook-id']
  const timestamp = Number(headers['webhook-timestamp'])
  if (!id || Math.abs(Date.now() / 1000 - timestamp) > toleranceSeconds) return false
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64')
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest()
  return String(headers['webhook-signature'])
    .split(' ')
    .some((signature) => {
      const [version, value] = signature.split(',')
      const given = Buffer.from(value ?? '', 'base64')
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected)
    })
}

describe('webhooks: deliveries to a real receiver', () => {
  let admin: TestUser
  let customer: TestUser
  let restore: () => void
  const receivers: Receiver[] = []
  const subscriptions: number[] = []

  before(async () => {
    ;[admin, customer] = await Promise.all([userWithRoles(['admin']), userWithRoles(['customer'])])
    // The receivers listen on 127.0.0.1; retries come quickly.
    restore = await useWebhookSettings({
      allowPrivateTargets: true,
      retrySchedule: '100ms,200ms',
      timeoutMs: 2000
    })
  })
  // Later test files' events must not keep knocking at closed receivers.
  after(async () => {
    restore()
    for (const id of subscriptions)
      await api('DELETE', `/webhook-subscriptions/${id}`, { token: admin.token })
    await Promise.all(receivers.map((receiver) => receiver.close()))
  })

  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const started = await startReceiver(...args)
    receivers.push(started)
    return started
  }
  const subscribe = async (url: string, events: string[], extra: Record<string, unknown> = {}) => {
    const { status, body } = await api('POST', '/webhook-subscriptions', {
      token: admin.token,
      body: { url, events, ...extra }
    })
    assert.equal(status, 201, JSON.stringify(body))
    subscriptions.push(body.id)
    return body
  }
  const deliveryOf = async (eventId: string, subscriptionId: number) => {
    const { body } = await api(
      'GET',
      `/webhook-deliveries?eventId=${eventId}&subscriptionId=${subscriptionId}`,
      {
        token: admin.token
      }
    )
    assert.equal(body.total, 1, JSON.stringify(body))
    return body.data[0]
  }
  /** Whether the event's deliveries to these subscriptions are done (earlier tests' subscriptions may get it too). */
  const settled =
    (eventId: string, ...to: { id: number }[]) =>
    async () => {
      const ours = (await deliveriesOf(eventId)).filter((delivery: any) =>
        to.some((subscription) => subscription.id === delivery.subscriptionId)
      )
      return ours.length > 0 && ours.every((delivery: any) => delivery.status !== 'pending')
    }

  it('POSTs the CloudEvent signed by the Standard Webhooks scheme, verifiable with the subscription secret', async () => {
    const target = await receiver()
    const subscription = await subscribe(target.url, ['orders.paid'])
    const event = cloudEvent('orders.paid', { status: 'paid', totalCents: 5000 }, '41')
    assert.equal(await feed(event), 'handled')
    await deliverUntil(settled(event.id, subscription))

    const [request] = target.forEvent(event.id)
    assert.ok(request, 'the receiver got the event')
    assert.equal(target.forEvent(event.id).length, 1)
    assert.deepEqual(JSON.parse(request.body), event)
    assert.match(request.body, /^\{"specversion":"1\.0","id":/)
    assert.equal(request.headers['content-type'], 'application/json')
    assert.match(String(request.headers['user-agent']), /^internal-api-webhooks\//)
    assert.equal(request.headers['webhook-id'], event.id)
    assert.ok(Math.abs(Number(request.headers['webhook-timestamp']) - Date.now() / 1000) < 30)
    assert.match(String(request.headers['webhook-signature']), /^v1,[A-Za-z0-9+/]{43}=$/)
    assert.ok(verifyWebhook(subscription.secret, request.headers, request.body), 'the signature verifies')
    // Any other secret, body or id does not verify.
    const other = await subscribe(target.url, ['orders.paid'], { active: false })
    assert.ok(!verifyWebhook(other.secret, request.headers, request.body))
    assert.ok(!verifyWebhook(subscription.secret, request.headers, request.body.replace('5000', '1')))
    assert.ok(!verifyWebhook(subscription.secret, { ...request.headers, 'webhook-id': 'x' }, request.body))

    const delivery = await deliveryOf(event.id, subscription.id)
    assert.equal(delivery.status, 'succeeded')
    assert.equal(delivery.attempts, 1)
    assert.equal(delivery.lastStatusCode, 204)
    assert.equal(delivery.lastError, null)
    assert.equal(delivery.nextAttemptAt, null)
    assert.ok(delivery.deliveredAt)
    assert.equal(delivery.eventType, 'orders.paid')
    assert.deepEqual(delivery.payload, event)
    assert.equal(delivery.claimedUntil, undefined, 'the claim is hidden')
  })

  it('retries a receiver that fails twice and delivers on the third attempt, on the schedule', async () => {
    const target = await receiver((nth) => ({ status: nth <= 2 ? 500 : 200 }))
    const subscription = await subscribe(target.url, ['orders.*'])
    const event = cloudEvent('orders.shipped', { status: 'shipped' })
    await feed(event)
    await deliverUntil(settled(event.id, subscription))

    const requests = target.forEvent(event.id)
    assert.equal(requests.length, 3)
    // 100 ms and 200 ms, each ±20%.
    assert.ok(requests[1].at - requests[0].at >= 80, `${requests[1].at - requests[0].at} ms`)
    assert.ok(requests[2].at - requests[1].at >= 160, `${requests[2].at - requests[1].at} ms`)
    assert.ok(requests.every((request) => verifyWebhook(subscription.secret, request.headers, request.body)))
    const delivery = await deliveryOf(event.id, subscription.id)
    assert.equal(delivery.status, 'succeeded')
    assert.equal(delivery.attempts, 3)
    assert.equal(delivery.lastStatusCode, 200)
  })

  it('fails a delivery after the last attempt; an admin re-delivers it with PATCH {status: pending}', async () => {
    let healthy = false
    const target = await receiver(() => ({ status: healthy ? 200 : 503 }))
    const subscription = await subscribe(target.url, ['payments.failed'])
    const event = cloudEvent('payments.failed', { status: 'failed' })
    await feed(event)
    await deliverUntil(settled(event.id, subscription))

    const failed = await deliveryOf(event.id, subscription.id)
    assert.equal(failed.status, 'failed')
    assert.equal(failed.attempts, 3)
    assert.equal(failed.lastStatusCode, 503)
    assert.equal(failed.lastError, 'the receiver answered 503')
    assert.equal(failed.nextAttemptAt, null)
    assert.equal(target.forEvent(event.id).length, 3)
    const listed = await api('GET', `/webhook-deliveries?status=failed&subscriptionId=${subscription.id}`, {
      token: admin.token
    })
    assert.deepEqual(
      listed.body.data.map((each: any) => each.id),
      [failed.id]
    )

    // Only an admin, and only the status.
    const path = `/webhook-deliveries/${failed.id}`
    assert.equal(
      (await api('PATCH', path, { token: customer.token, body: { status: 'pending' } })).status,
      403
    )
    assert.equal((await api('PATCH', path, { token: admin.token, body: { attempts: 0 } })).status, 400)
    const toSucceeded = await api('PATCH', path, { token: admin.token, body: { status: 'succeeded' } })
    assert.equal(toSucceeded.status, 409)
    assert.equal((await api('DELETE', path, { token: admin.token })).status, 405)
    assert.equal((await api('PUT', path, { token: admin.token, body: failed })).status, 405)
    const made = await api('POST', '/webhook-deliveries', { token: admin.token, body: { subscriptionId: 1 } })
    assert.equal(made.status, 405)

    healthy = true
    const redelivered = await api('PATCH', path, { token: admin.token, body: { status: 'pending' } })
    assert.equal(redelivered.status, 200, JSON.stringify(redelivered.body))
    assert.equal(redelivered.body.status, 'pending')
    assert.equal(redelivered.body.attempts, 0, 'a re-delivery gets the whole schedule again')
    assert.ok(Date.parse(redelivered.body.nextAttemptAt) <= Date.now() + 1000)
    assert.equal(redelivered.body.lastStatusCode, 503, 'the last outcome stays until the next attempt')
    await deliverUntil(settled(event.id, subscription))
    const delivered = await deliveryOf(event.id, subscription.id)
    assert.equal(delivered.status, 'succeeded')
    assert.equal(delivered.attempts, 1)
    assert.equal(delivered.lastStatusCode, 200)
    assert.equal(target.forEvent(event.id).length, 4)
    assert.ok(
      verifyWebhook(
        subscription.secret,
        target.forEvent(event.id)[3].headers,
        target.forEvent(event.id)[3].body
      )
    )

    // A succeeded delivery can be sent again too.
    const again = await api('PATCH', path, { token: admin.token, body: { status: 'pending' } })
    assert.equal(again.status, 200)
    await deliverUntil(settled(event.id, subscription))
    assert.equal(target.forEvent(event.id).length, 5)
  })

  it('delivers only the event types a subscription names, each event once per subscription', async () => {
    const target = await receiver()
    const shipped = await subscribe(target.url, ['orders.shipped'])
    const payments = await subscribe(target.url, ['payments.*'])
    const everything = await subscribe(target.url, ['*'])
    const events = [
      cloudEvent('orders.shipped'),
      cloudEvent('orders.paid'),
      cloudEvent('payments.captured'),
      cloudEvent('products.patched')
    ]
    for (const event of events) await feed(event)
    // The same event again (a redelivery by the bus): no second delivery.
    assert.equal(await feed(events[0]), 'duplicate')
    await deliverUntil(async () => {
      for (const event of events)
        if (!(await settled(event.id, shipped, payments, everything)())) return false
      return true
    })
    const subscribers = async (eventId: string) =>
      (await deliveriesOf(eventId))
        .map((delivery: any) => delivery.subscriptionId)
        .filter((id: number) => [shipped.id, payments.id, everything.id].includes(id))
        .sort()
    assert.deepEqual(await subscribers(events[0].id), [shipped.id, everything.id].sort())
    assert.deepEqual(await subscribers(events[1].id), [everything.id])
    assert.deepEqual(await subscribers(events[2].id), [payments.id, everything.id].sort())
    assert.deepEqual(await subscribers(events[3].id), [everything.id])
    assert.equal(target.forEvent(events[0].id).length, 2)
    assert.equal(target.forEvent(events[1].id).length, 1)
  })

  it('sends nothing for an inactive subscription; deactivating stops its pending deliveries', async () => {
    const target = await receiver(() => ({ status: 500 }))
    const inactive = await subscribe(target.url, ['orders.cancelled'], { active: false })
    const first = cloudEvent('orders.cancelled')
    await feed(first)
    assert.deepEqual(
      (await deliveriesOf(first.id)).filter((delivery: any) => delivery.subscriptionId === inactive.id),
      []
    )

    const active = await subscribe(target.url, ['orders.cancelled'])
    const second = cloudEvent('orders.cancelled')
    await feed(second)
    // The retry waits long enough for the deactivation to come first.
    const slow = await useWebhookSettings({ retrySchedule: '1h' })
    try {
      await deliverUntil(() => target.forEvent(second.id).length >= 1)
      const off = await api('PATCH', `/webhook-subscriptions/${active.id}`, {
        token: admin.token,
        body: { active: false }
      })
      assert.equal(off.status, 200)
      await deliverUntil(settled(second.id, active))
    } finally {
      slow()
    }
    const stopped = await deliveryOf(second.id, active.id)
    assert.equal(stopped.status, 'failed')
    assert.match(stopped.lastError, /inactive/)
    const sent = target.forEvent(second.id).length
    await deliverWebhooks.run((await testServer()).app)
    assert.equal(target.forEvent(second.id).length, sent, 'nothing more is sent')

    // Re-delivery waits for the subscription to be active again.
    const path = `/webhook-deliveries/${stopped.id}`
    const refused = await api('PATCH', path, { token: admin.token, body: { status: 'pending' } })
    assert.equal(refused.status, 409)
    assert.equal(refused.body.data.field, 'subscriptionId')
  })

  it('does not follow redirects, gives up on a silent receiver after the timeout, records unreachable ones', async () => {
    const elsewhere = await receiver()
    const redirecting = await receiver(() => ({ status: 307, headers: { location: elsewhere.url } }))
    const silent = await receiver(() => 'hang')
    const closed = await receiver()
    await closed.close()
    const short = await useWebhookSettings({ timeoutMs: 300, retrySchedule: '50ms' })
    try {
      const targets = await Promise.all(
        [redirecting, silent, closed].map((target) => subscribe(target.url, ['orders.delivered']))
      )
      const event = cloudEvent('orders.delivered')
      await feed(event)
      await deliverUntil(settled(event.id, ...targets))
      const [redirected, timedOut, refused] = await Promise.all(
        targets.map((subscription) => deliveryOf(event.id, subscription.id))
      )
      assert.equal(redirected.status, 'failed')
      assert.equal(redirected.lastStatusCode, 307)
      assert.equal(elsewhere.forEvent(event.id).length, 0, 'the redirect was not followed')
      assert.equal(timedOut.status, 'failed')
      assert.equal(timedOut.lastError, 'timed out after 300 ms')
      assert.equal(timedOut.lastStatusCode, null)
      assert.equal(silent.forEvent(event.id).length, 2)
      assert.equal(refused.status, 'failed')
      assert.match(refused.lastError, /ECONNREFUSED/)
    } finally {
      short()
    }
  })

  it('refuses at delivery time a target that resolves to a private address (localhost), and literal ones', async () => {
    const target = await receiver()
    const byName = await subscribe(`http://localhost:${target.port}/hook`, ['orders.created'])
    const byAddress = await subscribe(target.url, ['orders.created'])
    const strict = await useWebhookSettings({ allowPrivateTargets: false, retrySchedule: '50ms' })
    try {
      const event = cloudEvent('orders.created')
      await feed(event)
      await deliverUntil(settled(event.id, byName, byAddress))
      const [named, literal] = await Promise.all([
        deliveryOf(event.id, byName.id),
        deliveryOf(event.id, byAddress.id)
      ])
      assert.equal(named.status, 'failed')
      // Judged on what the name resolves to, when connecting.
      assert.match(named.lastError, /^refused: localhost resolves to (127\.0\.0\.1|::1), a private/)
      assert.equal(literal.status, 'failed')
      assert.match(literal.lastError, /^refused: .*127\.0\.0\.1/)
      assert.equal(target.forEvent(event.id).length, 0, 'nothing reached the receiver')
    } finally {
      strict()
    }
  })

  it('sends each attempt once when several workers run the job at once', async () => {
    const target = await receiver()
    const subscription = await subscribe(target.url, ['products.created'])
    const events = Array.from({ length: 12 }, () => cloudEvent('products.created'))
    for (const event of events) await feed(event)
    const { app } = await testServer()
    await Promise.all([deliverWebhooks.run(app), deliverWebhooks.run(app), deliverWebhooks.run(app)])
    await deliverUntil(async () => {
      for (const event of events) if (!(await settled(event.id, subscription)())) return false
      return true
    })
    for (const event of events) assert.equal(target.forEvent(event.id).length, 1)
  })

  it('removes the deliveries of a deleted subscription', async () => {
    const target = await receiver(() => ({ status: 500 }))
    const subscription = await subscribe(target.url, ['orders.refunded'])
    const event = cloudEvent('orders.refunded')
    await feed(event)
    assert.equal(
      (await deliveriesOf(event.id)).filter((d: any) => d.subscriptionId === subscription.id).length,
      1
    )
    const removed = await api('DELETE', `/webhook-subscriptions/${subscription.id}`, { token: admin.token })
    assert.equal(removed.status, 200)
    assert.equal(
      (await deliveriesOf(event.id)).filter((d: any) => d.subscriptionId === subscription.id).length,
      0
    )
  })
})

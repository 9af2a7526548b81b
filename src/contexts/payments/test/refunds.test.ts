import assert from 'node:assert/strict'
import { feathers, socketio, authentication as authenticationClient } from '@feathersjs/client'
import { io, type Socket } from 'socket.io-client'
import { api, testServer, userWithRoles, type TestUser } from '../../../../test/helpers/server'
import { capturedPayment, pendingOrder } from '../../../../test/helpers/commerce'

const refund = (staff: TestUser, paymentId: number, amountCents: number, reason = 'customer request') =>
  api('POST', '/refunds', { token: staff.token, body: { paymentId, amountCents, reason } })

describe('refunds (REST)', () => {
  let customer: TestUser
  let other: TestUser
  let support: TestUser
  let admin: TestUser

  before(async () => {
    ;[customer, other, support, admin] = await Promise.all([
      userWithRoles(['customer']),
      userWithRoles(['customer']),
      userWithRoles(['support']),
      userWithRoles(['admin'])
    ])
  })

  const orderOf = async (id: number) => (await api('GET', `/orders/${id}`, { token: customer.token })).body
  const paymentOf = async (id: number) =>
    (await api('GET', `/payments/${id}`, { token: customer.token })).body

  it('refunds partially, then the rest: the order becomes partially_refunded, then refunded', async () => {
    const { order, payment } = await capturedPayment(customer)

    const first = await refund(support, payment.id, 1500, 'one item damaged')
    assert.equal(first.status, 201, JSON.stringify(first.body))
    assert.equal(first.body.paymentId, payment.id)
    assert.equal(first.body.orderId, order.id)
    assert.equal(first.body.userId, customer.id, 'the refund belongs to the customer')
    assert.equal(first.body.createdBy, support.id)
    assert.equal(first.body.amountCents, 1500)
    assert.equal(first.body.currency, 'USD')
    assert.equal(first.body.reason, 'one item damaged')
    assert.equal(first.body.status, 'succeeded', 'the provider answered before the request did')
    assert.equal(first.body.failureReason, null)
    assert.match(first.body.providerRef, /^simref_/)
    assert.equal((await paymentOf(payment.id)).refundedCents, 1500)
    let current = await orderOf(order.id)
    assert.equal(current.status, 'partially_refunded')
    assert.equal(current.refundedCents, 1500)

    const rest = await refund(admin, payment.id, 3500, 'order returned')
    assert.equal(rest.status, 201)
    assert.equal((await paymentOf(payment.id)).refundedCents, 5000)
    current = await orderOf(order.id)
    assert.equal(current.status, 'refunded')
    assert.equal(current.refundedCents, 5000)

    const more = await refund(admin, payment.id, 1)
    assert.equal(more.status, 409)
    assert.equal(more.body.data.refundableCents, 0)
  })

  it('refunds a paid order an admin cancels, in full: recorded with the cancellation, given back before the answer', async () => {
    const { order, payment } = await capturedPayment(customer, 3100)
    const cancelled = await api('PATCH', `/orders/${order.id}`, {
      token: admin.token,
      body: { status: 'cancelled' }
    })
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body))
    assert.equal(cancelled.body.status, 'cancelled', 'the order as the cancellation committed it')
    // The request waited for the provider's refund, which the cancellation only recorded.
    const after = await orderOf(order.id)
    assert.equal(after.refundedCents, 3100)
    assert.equal(after.status, 'refunded')
    assert.equal((await paymentOf(payment.id)).refundedCents, 3100)
    const refunds = await api('GET', `/refunds?paymentId=${payment.id}`, { token: support.token })
    assert.equal(refunds.body.total, 1)
    assert.equal(refunds.body.data[0].amountCents, 3100)
    assert.equal(refunds.body.data[0].status, 'succeeded')
    assert.equal(refunds.body.data[0].createdBy, admin.id)
  })

  it('refunds everything at once: the order becomes refunded', async () => {
    const { order, payment } = await capturedPayment(customer, 2000)
    assert.equal((await refund(support, payment.id, 2000)).status, 201)
    assert.equal((await orderOf(order.id)).status, 'refunded')
  })

  it('answers 409 naming amountCents and the refundable remainder when a refund is above it', async () => {
    const { order, payment } = await capturedPayment(customer)
    assert.equal((await refund(support, payment.id, 4000)).status, 201)
    const { status, body } = await refund(support, payment.id, 1001)
    assert.equal(status, 409)
    assert.equal(body.data.field, 'amountCents')
    assert.equal(body.data.refundableCents, 1000)
    assert.match(body.message, /amountCents 1001 .* 1000/)
    assert.equal((await paymentOf(payment.id)).refundedCents, 4000)
    assert.equal((await orderOf(order.id)).refundedCents, 4000)
  })

  it('refunds only captured payments, and validates the body', async () => {
    const order = await pendingOrder(customer)
    const failed = (
      await api('POST', '/payments', {
        token: customer.token,
        body: { orderId: order.id, paymentMethod: 'sim_fail' }
      })
    ).body
    const notCaptured = await refund(support, failed.id, 100)
    assert.equal(notCaptured.status, 409)
    assert.match(notCaptured.body.message, /is failed; only a captured payment can be refunded/)

    const missing = await refund(support, 99_999_999, 100)
    assert.equal(missing.status, 400)
    assert.match(missing.body.message, /paymentId/)

    const { payment } = await capturedPayment(customer)
    for (const body of [
      { paymentId: payment.id, amountCents: 0, reason: 'x' },
      { paymentId: payment.id, amountCents: -5, reason: 'x' },
      { paymentId: payment.id, amountCents: 10 },
      { paymentId: payment.id, amountCents: 10, reason: 'x', orderId: order.id },
      { paymentId: payment.id, amountCents: 10, reason: 'x', userId: other.id }
    ]) {
      const answer = await api('POST', '/refunds', { token: support.token, body })
      assert.equal(answer.status, 400, JSON.stringify(body))
    }
    assert.equal((await paymentOf(payment.id)).refundedCents, 0)
  })

  it('refuses customers (403) and anonymous callers (401); nobody may change or delete a refund', async () => {
    const { payment } = await capturedPayment(customer)
    const own = await refund(customer, payment.id, 100)
    assert.equal(own.status, 403)
    assert.equal(
      (await api('POST', '/refunds', { body: { paymentId: payment.id, amountCents: 1, reason: 'x' } }))
        .status,
      401
    )
    const made = (await refund(support, payment.id, 100)).body
    for (const method of ['PATCH', 'PUT', 'DELETE']) {
      const { status } = await api(method, `/refunds/${made.id}`, {
        token: admin.token,
        body: method === 'DELETE' ? undefined : { amountCents: 1, reason: 'x', paymentId: payment.id }
      })
      assert.equal(status, 405, method)
    }
  })

  it('shows customers their own refunds only; support and admins all', async () => {
    const { payment } = await capturedPayment(customer)
    const made = (await refund(support, payment.id, 250)).body
    const mine = await api('GET', `/refunds?paymentId=${payment.id}`, { token: customer.token })
    assert.deepEqual(
      mine.body.data.map((r: any) => r.id),
      [made.id]
    )
    assert.equal((await api('GET', `/refunds/${made.id}`, { token: other.token })).status, 404)
    assert.equal((await api('GET', `/refunds?paymentId=${payment.id}`, { token: other.token })).body.total, 0)
    assert.equal((await api('GET', `/refunds/${made.id}`, { token: support.token })).status, 200)
  })

  it('never refunds more than was captured, even when refunds are requested concurrently', async () => {
    const { order, payment } = await capturedPayment(customer, 5000)
    // Ten refunds of 10% + 1 cent: nine fit (4509), the tenth would exceed the capture.
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        refund(i % 2 ? support : admin, payment.id, 501, `concurrent ${i}`)
      )
    )
    const statuses = answers.map((a) => a.status)
    assert.ok(
      statuses.every((s) => s === 201 || s === 409),
      JSON.stringify(answers.map((a) => [a.status, a.body.message]))
    )
    const succeeded = answers.filter((a) => a.status === 201)
    assert.equal(succeeded.length, 9, JSON.stringify(statuses))
    const refundedSum = succeeded.reduce((sum, a) => sum + a.body.amountCents, 0)
    assert.ok(refundedSum <= payment.capturedCents)

    const stored = await api('GET', `/refunds?paymentId=${payment.id}&$limit=100`, { token: admin.token })
    assert.equal(stored.body.total, 9)
    const storedSum = stored.body.data.reduce((sum: number, r: any) => sum + r.amountCents, 0)
    assert.equal(storedSum, 4509)
    const after = await paymentOf(payment.id)
    assert.equal(after.refundedCents, 4509)
    const orderAfter = await orderOf(order.id)
    assert.equal(orderAfter.refundedCents, 4509)
    assert.equal(orderAfter.status, 'partially_refunded')
  })
})

describe('refunds: realtime events (Socket.io)', () => {
  const sockets: Socket[] = []
  after(() => sockets.forEach((socket) => socket.close()))

  const connect = async (user: TestUser) => {
    const { url } = await testServer()
    const socket: Socket = io(url, { transports: ['websocket'], forceNew: true })
    sockets.push(socket)
    const client = feathers()
      .configure(socketio(socket))
      .configure(authenticationClient({ storage: undefined as any }))
    await client.authenticate({ strategy: 'jwt', accessToken: user.token })
    const received: string[] = []
    const records: Record<string, any>[] = []
    for (const path of ['payments', 'refunds', 'orders']) {
      for (const event of ['created', 'patched']) {
        client.service(path).on(event, (data: any) => {
          received.push(`${path} ${event} ${data.id}`)
          records.push({ path, event, ...data })
        })
      }
    }
    return { client, received, records }
  }

  it('go to the customer refunded and to staff, not to other customers', async () => {
    const [owner, stranger, supportUser] = await Promise.all([
      userWithRoles(['customer']),
      userWithRoles(['customer']),
      userWithRoles(['support'])
    ])
    const [mine, theirs, staff] = await Promise.all([connect(owner), connect(stranger), connect(supportUser)])
    const { payment } = await capturedPayment(owner)
    const made = (await refund(supportUser, payment.id, 700)).body
    const expected = [`refunds created ${made.id}`, `payments patched ${payment.id}`]
    for (const { received } of [mine, staff]) {
      const until = Date.now() + 3000
      while (!expected.every((e) => received.includes(e)) && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      assert.ok(
        expected.every((e) => received.includes(e)),
        JSON.stringify(received)
      )
    }
    await theirs.client.service('refunds').find({ query: { $limit: 1 } })
    await new Promise((resolve) => setTimeout(resolve, 150))
    assert.deepEqual(theirs.received, [])
  })

  it('are one per record changed, and the order comes with its lines (the command writes them all)', async () => {
    const [owner, supportUser] = await Promise.all([userWithRoles(['customer']), userWithRoles(['support'])])
    const mine = await connect(owner)
    const { order, payment } = await capturedPayment(owner)
    await new Promise((resolve) => setTimeout(resolve, 150))
    mine.records.length = 0
    mine.received.length = 0
    const made = (await refund(supportUser, payment.id, payment.capturedCents)).body
    const until = Date.now() + 3000
    while (!mine.received.includes(`orders patched ${order.id}`) && Date.now() < until)
      await new Promise((resolve) => setTimeout(resolve, 20))
    await new Promise((resolve) => setTimeout(resolve, 150))
    // The refund recorded pending, then the provider's answer: the refund, payment and order it changes.
    assert.deepEqual(mine.received.sort(), [
      `orders patched ${order.id}`,
      `payments patched ${payment.id}`,
      `refunds created ${made.id}`,
      `refunds patched ${made.id}`
    ])
    const orderEvent = mine.records.find((record) => record.path === 'orders')!
    assert.equal(orderEvent.status, 'refunded', 'the order as last written')
    assert.equal(orderEvent.refundedCents, payment.capturedCents)
    assert.deepEqual(
      orderEvent.items.map((line: any) => line.productId),
      order.items.map((line: any) => line.productId)
    )
    const refundEvents = mine.records.filter((record) => record.path === 'refunds')
    assert.deepEqual(
      refundEvents.map((record) => [record.event, record.status]),
      [
        ['created', 'pending'],
        ['patched', 'succeeded']
      ]
    )
    assert.ok(refundEvents[1].providerRef, 'the refund as the provider settled it, with its reference')
  })
})

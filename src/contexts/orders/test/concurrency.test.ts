import assert from 'node:assert/strict'
import { api, testServer, unique, userWithRoles, type TestUser } from '../../../../test/helpers/server'
import { SHIPPING_ADDRESS, stockedProduct } from '../../../../test/helpers/commerce'

// Real concurrent HTTP requests; on PostgreSQL (CI's second run) they really race.
describe('commerce: invariants under concurrency', () => {
  let admin: TestUser
  let customers: TestUser[]

  before(async () => {
    admin = await userWithRoles(['admin'])
    customers = await Promise.all(Array.from({ length: 5 }, () => userWithRoles(['customer'])))
  })

  const productWithStock = (stock: number) =>
    stockedProduct(admin, { stock, priceCents: 700, currency: 'KRW' })

  it('never oversells: 50 concurrent orders for a stock of 10 make exactly 10 orders and stock 0', async () => {
    const product = await productWithStock(10)
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        api('POST', '/orders', {
          token: customers[i % customers.length].token,
          body: { items: [{ productId: product.id, quantity: 1 }] }
        })
      )
    )
    const statuses = results.map((r) => r.status)
    assert.equal(statuses.filter((s) => s === 201).length, 10, JSON.stringify(statuses))
    assert.equal(statuses.filter((s) => s === 409).length, 40)
    const after = (await api('GET', `/products/${product.id}`, { token: admin.token })).body
    assert.equal(after.stock, 0)
    const { app } = await testServer()
    const [{ count }] = await app
      .get('knex')('order_items')
      .where({ productId: product.id })
      .count({ count: '*' })
    assert.equal(count, 10)
    const ledger = (await api('GET', `/inventory?productId=${product.id}&$limit=200`, { token: admin.token }))
      .body.data
    assert.equal(
      ledger.reduce((sum: number, entry: any) => sum + entry.quantity, 0),
      0,
      'the ledger agrees with the stock'
    )
  })

  it('releases exactly what was reserved when concurrent cancels race', async () => {
    const product = await productWithStock(5)
    const order = (
      await api('POST', '/orders', {
        token: customers[0].token,
        body: { items: [{ productId: product.id, quantity: 3 }] }
      })
    ).body
    const cancels = await Promise.all(
      Array.from({ length: 5 }, () =>
        api('PATCH', `/orders/${order.id}`, { token: customers[0].token, body: { status: 'cancelled' } })
      )
    )
    assert.ok(cancels.some((r) => r.status === 200))
    assert.equal(
      (await api('GET', `/products/${product.id}`, { token: admin.token })).body.stock,
      5,
      'released once'
    )
  })

  it('loses no update: of concurrent patches with the same version exactly one wins', async () => {
    const product = await productWithStock(5)
    const order = (
      await api('POST', '/orders', {
        token: customers[1].token,
        body: { items: [{ productId: product.id, quantity: 1 }] }
      })
    ).body
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        api('PATCH', `/orders/${order.id}`, {
          token: customers[1].token,
          body: { note: `writer ${i}`, version: order.version }
        })
      )
    )
    const winners = results.filter((r) => r.status === 200)
    assert.equal(winners.length, 1, JSON.stringify(results.map((r) => r.status)))
    assert.ok(results.every((r) => r.status === 200 || r.status === 409))
    const stored = (await api('GET', `/orders/${order.id}`, { token: customers[1].token })).body
    assert.equal(stored.note, winners[0].body.note)
    assert.equal(stored.version, order.version + 1)
  })

  it('makes one order from concurrent requests with one Idempotency-Key, and refuses the key for another body', async () => {
    const product = await productWithStock(20)
    const key = unique('checkout')
    const body = { items: [{ productId: product.id, quantity: 2 }] }
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        api('POST', '/orders', { token: customers[2].token, body, headers: { 'Idempotency-Key': key } })
      )
    )
    assert.ok(
      results.every((r) => r.status === 201),
      JSON.stringify(results.map((r) => r.status))
    )
    assert.equal(new Set(results.map((r) => r.body.id)).size, 1, 'every answer is the same order')
    assert.equal(
      (await api('GET', `/products/${product.id}`, { token: admin.token })).body.stock,
      18,
      'reserved once'
    )
    const other = await api('POST', '/orders', {
      token: customers[2].token,
      body: { items: [{ productId: product.id, quantity: 3 }] },
      headers: { 'Idempotency-Key': key }
    })
    assert.equal(other.status, 422)
    assert.match(other.body.message, /Idempotency-Key/)
  })

  it('keeps stock reserved after a failed payment until the order is cancelled', async () => {
    const product = await productWithStock(4)
    const order = (
      await api('POST', '/orders', {
        token: customers[3].token,
        body: { items: [{ productId: product.id, quantity: 3 }], shippingAddress: SHIPPING_ADDRESS }
      })
    ).body
    const payment = await api('POST', '/payments', {
      token: customers[3].token,
      body: { orderId: order.id, paymentMethod: 'sim_fail' }
    })
    assert.equal(payment.body.status, 'failed')
    assert.equal(
      (await api('GET', `/orders/${order.id}`, { token: customers[3].token })).body.status,
      'pending'
    )
    assert.equal((await api('GET', `/products/${product.id}`, { token: admin.token })).body.stock, 1)
    await api('PATCH', `/orders/${order.id}`, { token: customers[3].token, body: { status: 'cancelled' } })
    assert.equal((await api('GET', `/products/${product.id}`, { token: admin.token })).body.stock, 4)
  })
})

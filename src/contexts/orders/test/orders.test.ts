import assert from 'node:assert/strict'
import { api, testServer, unique, userWithRoles, type TestUser } from '../../../../test/helpers/server'
import { SHIPPING_ADDRESS, stockedProduct } from '../../../../test/helpers/commerce'

describe('commerce: inventory and orders (REST)', () => {
  let admin: TestUser
  let catalog: TestUser
  let customer: TestUser

  const newProduct = (stock: number, priceCents = 1250, currency = 'USD') =>
    stockedProduct(catalog, { stock, priceCents, currency })
  const stockOf = async (id: number) =>
    (await api('GET', `/products/${id}`, { token: admin.token })).body.stock
  const order = (user: TestUser, items: { productId: number; quantity: number }[], extra = {}) =>
    api('POST', '/orders', {
      token: user.token,
      body: { items, shippingAddress: SHIPPING_ADDRESS, ...extra }
    })

  before(async () => {
    admin = await userWithRoles(['admin'])
    catalog = await userWithRoles(['catalog'])
    customer = await userWithRoles(['customer'])
  })

  describe('inventory ledger', () => {
    it('receives and adjusts stock; products.stock equals the ledger', async () => {
      const product = await newProduct(10)
      const adjust = await api('POST', '/inventory', {
        token: catalog.token,
        body: { productId: product.id, kind: 'adjust', quantity: -3, reason: 'damaged in storage' }
      })
      assert.equal(adjust.status, 201)
      assert.equal(adjust.body.stockAfter, 7)
      assert.equal(await stockOf(product.id), 7)
      const ledger = await api('GET', `/inventory?productId=${product.id}`, { token: catalog.token })
      assert.equal(
        ledger.body.data.reduce((sum: number, entry: any) => sum + entry.quantity, 0),
        7
      )
    })

    it('never lets stock go negative and asks a reason for adjustments', async () => {
      const product = await newProduct(2)
      const below = await api('POST', '/inventory', {
        token: catalog.token,
        body: { productId: product.id, kind: 'adjust', quantity: -3, reason: 'count' }
      })
      assert.equal(below.status, 409)
      assert.equal(below.body.data.productId, product.id)
      const noReason = await api('POST', '/inventory', {
        token: catalog.token,
        body: { productId: product.id, kind: 'adjust', quantity: 1 }
      })
      assert.equal(noReason.status, 400)
      assert.equal(noReason.body.errors[0].field, 'reason')
      assert.equal(await stockOf(product.id), 2)
    })

    it('keeps reservations, stock and the ledger out of clients’ hands', async () => {
      const product = await newProduct(1)
      const reserve = await api('POST', '/inventory', {
        token: catalog.token,
        body: { productId: product.id, kind: 'reserve', quantity: -1 }
      })
      assert.equal(reserve.status, 403)
      assert.equal(
        (await api('PATCH', `/products/${product.id}`, { token: admin.token, body: { stock: 100 } })).status,
        400
      )
      assert.equal((await api('GET', '/inventory', { token: customer.token })).status, 403)
      assert.equal(
        (
          await api('POST', '/inventory', {
            token: customer.token,
            body: { productId: product.id, kind: 'receive', quantity: 5 }
          })
        ).status,
        403
      )
      const [entry] = (await api('GET', `/inventory?productId=${product.id}`, { token: admin.token })).body
        .data
      assert.equal((await api('DELETE', `/inventory/${entry.id}`, { token: admin.token })).status, 405)
    })
  })

  describe('orders', () => {
    it('prices items on the server, computes the total and reserves stock', async () => {
      const a = await newProduct(5, 1000)
      const b = await newProduct(5, 250)
      const created = await order(customer, [
        { productId: a.id, quantity: 2 },
        { productId: b.id, quantity: 1 },
        { productId: a.id, quantity: 1 }
      ])
      assert.equal(created.status, 201, JSON.stringify(created.body))
      assert.equal(created.body.status, 'pending')
      assert.equal(created.body.userId, customer.id)
      assert.equal(created.body.totalCents, 3 * 1000 + 250)
      assert.equal(created.body.currency, 'USD')
      assert.deepEqual(
        created.body.items.map((i: any) => [i.productId, i.quantity, i.unitPriceCents]),
        [
          [a.id, 3, 1000],
          [b.id, 1, 250]
        ]
      )
      assert.equal(await stockOf(a.id), 2)
      assert.equal(await stockOf(b.id), 4)
      const fetched = await api('GET', `/orders/${created.body.id}`, { token: customer.token })
      assert.equal(fetched.body.items.length, 2)
    })

    it('snapshots prices: a later price change does not touch the order', async () => {
      const product = await newProduct(3, 500)
      const created = (await order(customer, [{ productId: product.id, quantity: 1 }])).body
      await api('PATCH', `/products/${product.id}`, { token: admin.token, body: { priceCents: 9999 } })
      const fetched = (await api('GET', `/orders/${created.id}`, { token: customer.token })).body
      assert.equal(fetched.totalCents, 500)
      assert.equal(fetched.items[0].unitPriceCents, 500)
    })

    it('refuses what clients may not set, and orders that cannot be filled, all or nothing', async () => {
      const a = await newProduct(5)
      const scarce = await newProduct(1)
      for (const body of [{ totalCents: 1 }, { status: 'paid' }, { userId: admin.id }, { currency: 'EUR' }]) {
        const response = await order(customer, [{ productId: a.id, quantity: 1 }], body)
        assert.equal(response.status, 400, JSON.stringify(body))
      }
      const short = await order(customer, [
        { productId: a.id, quantity: 2 },
        { productId: scarce.id, quantity: 2 }
      ])
      assert.equal(short.status, 409)
      assert.equal(short.body.data.productId, scarce.id)
      assert.match(short.body.message, new RegExp(`product ${scarce.id}`))
      assert.equal(await stockOf(a.id), 5, 'nothing reserved when one line fails')
      const draft = (
        await api('POST', '/products', {
          token: admin.token,
          body: { sku: unique('D'), name: 'Draft', priceCents: 1, currency: 'USD' }
        })
      ).body
      const inactive = await order(customer, [{ productId: draft.id, quantity: 1 }])
      assert.equal(inactive.status, 400)
      assert.equal(inactive.body.errors[0].field, 'items.0.productId')
      const mixed = await order(customer, [
        { productId: a.id, quantity: 1 },
        { productId: (await newProduct(1, 100, 'EUR')).id, quantity: 1 }
      ])
      assert.equal(mixed.status, 400)
      assert.equal((await api('POST', '/orders', { token: customer.token, body: {} })).status, 400)
    })

    it('changes items while pending, adjusting the reservation in the same transaction', async () => {
      const a = await newProduct(10, 100)
      const b = await newProduct(10, 300)
      const created = (await order(customer, [{ productId: a.id, quantity: 4 }])).body
      const changed = await api('PATCH', `/orders/${created.id}`, {
        token: customer.token,
        body: {
          items: [
            { productId: a.id, quantity: 1 },
            { productId: b.id, quantity: 2 }
          ],
          note: 'ring twice'
        }
      })
      assert.equal(changed.status, 200, JSON.stringify(changed.body))
      assert.equal(changed.body.totalCents, 100 + 600)
      assert.equal(changed.body.note, 'ring twice')
      assert.equal(await stockOf(a.id), 9)
      assert.equal(await stockOf(b.id), 8)
    })

    it('lets the owner cancel a pending order, releasing exactly what it reserved', async () => {
      const product = await newProduct(6)
      const created = (await order(customer, [{ productId: product.id, quantity: 4 }])).body
      assert.equal(await stockOf(product.id), 2)
      const cancelled = await api('PATCH', `/orders/${created.id}`, {
        token: customer.token,
        body: { status: 'cancelled' }
      })
      assert.equal(cancelled.status, 200)
      assert.equal(cancelled.body.status, 'cancelled')
      assert.equal(await stockOf(product.id), 6)
      const again = await api('PATCH', `/orders/${created.id}`, {
        token: customer.token,
        body: { note: 'too late' }
      })
      assert.equal(again.status, 409)
    })

    it('allows only declared transitions, naming the allowed ones in a 409', async () => {
      const product = await newProduct(5)
      const created = (await order(customer, [{ productId: product.id, quantity: 1 }])).body
      const ship = await api('PATCH', `/orders/${created.id}`, {
        token: admin.token,
        body: { status: 'shipped' }
      })
      assert.equal(ship.status, 409)
      assert.match(ship.body.message, /from 'pending' to 'shipped'; allowed now: cancel \(to cancelled\)/)
      assert.deepEqual(ship.body.data.allowed, [{ name: 'cancel', to: 'cancelled' }])
      const pay = await api('PATCH', `/orders/${created.id}`, {
        token: customer.token,
        body: { status: 'paid' }
      })
      assert.equal(pay.status, 409, 'paid is reached by the payment system only')
      const bogus = await api('PATCH', `/orders/${created.id}`, {
        token: customer.token,
        body: { status: 'teleported' }
      })
      assert.equal(bogus.status, 400)
      const { app } = await testServer()
      await app.service('orders').patch(created.id, { status: 'paid' })
      const customerShips = await api('PATCH', `/orders/${created.id}`, {
        token: customer.token,
        body: { status: 'shipped' }
      })
      assert.equal(customerShips.status, 409)
      assert.deepEqual(customerShips.body.data.allowed, [])
      const shipped = await api('PATCH', `/orders/${created.id}`, {
        token: admin.token,
        body: { status: 'shipped' }
      })
      assert.equal(shipped.body.status, 'shipped')
      const delivered = await api('PATCH', `/orders/${created.id}`, {
        token: admin.token,
        body: { status: 'delivered' }
      })
      assert.equal(delivered.body.status, 'delivered')
      const back = await api('PATCH', `/orders/${created.id}`, {
        token: admin.token,
        body: { status: 'pending' }
      })
      assert.equal(back.status, 409)
    })

    it('pays and ships only an order with a shipping address (the transitions require it)', async () => {
      const product = await newProduct(5)
      const created = (
        await order(customer, [{ productId: product.id, quantity: 1 }], { shippingAddress: null })
      ).body
      const pay = () =>
        api('POST', '/payments', {
          token: customer.token,
          body: { orderId: created.id, paymentMethod: 'sim_succeed' }
        })
      const refused = await pay()
      assert.equal(refused.status, 409, JSON.stringify(refused.body))
      assert.equal(refused.body.data.field, 'shippingAddress')
      assert.equal(refused.body.data.transition, 'pay')
      const payments = await api('GET', `/payments?orderId=${created.id}`, { token: admin.token })
      assert.equal(payments.body.total, 0, 'refused before a payment was recorded or the provider asked')
      const { app } = await testServer()
      await assert.rejects(app.service('orders').patch(created.id, { status: 'paid' }), /shippingAddress/)

      const addressed = await api('PATCH', `/orders/${created.id}`, {
        token: customer.token,
        body: { shippingAddress: SHIPPING_ADDRESS }
      })
      assert.equal(addressed.status, 200, JSON.stringify(addressed.body))
      assert.equal((await pay()).body.status, 'captured')
      assert.equal((await api('GET', `/orders/${created.id}`, { token: customer.token })).body.status, 'paid')

      const cleared = await api('PATCH', `/orders/${created.id}`, {
        token: admin.token,
        body: { shippingAddress: null }
      })
      assert.equal(cleared.status, 200, JSON.stringify(cleared.body))
      const ship = () =>
        api('PATCH', `/orders/${created.id}`, { token: admin.token, body: { status: 'shipped' } })
      const unshippable = await ship()
      assert.equal(unshippable.status, 409)
      assert.equal(unshippable.body.data.field, 'shippingAddress')
      await api('PATCH', `/orders/${created.id}`, {
        token: admin.token,
        body: { shippingAddress: SHIPPING_ADDRESS }
      })
      assert.equal((await ship()).body.status, 'shipped')
    })

    it('keeps orders to their owners; support and admin see all', async () => {
      const product = await newProduct(2)
      const created = (await order(customer, [{ productId: product.id, quantity: 1 }])).body
      const other = await userWithRoles(['customer'])
      const support = await userWithRoles(['support'])
      assert.equal((await api('GET', `/orders/${created.id}`, { token: other.token })).status, 404)
      assert.equal(
        (await api('PATCH', `/orders/${created.id}`, { token: other.token, body: { status: 'cancelled' } }))
          .status,
        404
      )
      assert.ok(
        (await api('GET', '/orders', { token: other.token })).body.data.every(
          (o: any) => o.userId === other.id
        )
      )
      assert.equal((await api('GET', `/orders/${created.id}`, { token: support.token })).status, 200)
      // Support reads orders but does not change them: outside its write scope an order is not found.
      assert.equal(
        (await api('PATCH', `/orders/${created.id}`, { token: support.token, body: { note: 'x' } })).status,
        404
      )
    })

    it('treats a stale version (body or If-Match) as a 409 that changes nothing', async () => {
      const product = await newProduct(2)
      const created = (await order(customer, [{ productId: product.id, quantity: 1 }])).body
      const first = await api('PATCH', `/orders/${created.id}`, {
        token: customer.token,
        body: { note: 'first' },
        headers: { 'if-match': `"${created.version}"` }
      })
      assert.equal(first.status, 200)
      const stale = await api('PATCH', `/orders/${created.id}`, {
        token: customer.token,
        body: { note: 'stale' },
        headers: { 'if-match': `"${created.version}"` }
      })
      assert.equal(stale.status, 409)
      const staleBody = await api('PATCH', `/orders/${created.id}`, {
        token: customer.token,
        body: { note: 'stale', version: created.version }
      })
      assert.equal(staleBody.status, 409)
      assert.equal((await api('GET', `/orders/${created.id}`, { token: customer.token })).body.note, 'first')
    })
  })
})

describe('commerce: order history', () => {
  it('records every status change, readable by the owner and staff only', async () => {
    const admin = await userWithRoles(['admin'])
    const owner = await userWithRoles(['customer'])
    const other = await userWithRoles(['customer'])
    const product = (
      await api('POST', '/products', {
        token: admin.token,
        body: { sku: unique('H'), name: 'Historic', priceCents: 10, currency: 'EUR', status: 'active' }
      })
    ).body
    await api('POST', '/inventory', {
      token: admin.token,
      body: { productId: product.id, kind: 'receive', quantity: 2 }
    })
    const order = (
      await api('POST', '/orders', {
        token: owner.token,
        body: { items: [{ productId: product.id, quantity: 1 }], shippingAddress: SHIPPING_ADDRESS }
      })
    ).body
    const { app } = await testServer()
    await app.service('orders').patch(order.id, { status: 'paid' })
    await api('PATCH', `/orders/${order.id}`, { token: admin.token, body: { status: 'shipped' } })
    await api('PATCH', `/orders/${order.id}`, { token: admin.token, body: { status: 'delivered' } })
    const history = await api('GET', `/order-history?orderId=${order.id}&$sort[createdAt]=1`, {
      token: owner.token
    })
    assert.equal(history.status, 200)
    assert.deepEqual(
      history.body.data.map((h: any) => [h.transition, h.fromStatus, h.toStatus]),
      [
        ['create', '', 'pending'],
        ['pay', 'pending', 'paid'],
        ['ship', 'paid', 'shipped'],
        ['deliver', 'shipped', 'delivered']
      ]
    )
    assert.equal(history.body.data[2].actorId, admin.id)
    assert.equal(history.body.data[1].actorId, null, 'the system paid it')
    const theirs = await api('GET', `/order-history?orderId=${order.id}`, { token: other.token })
    assert.equal(theirs.body.total, 0)
    assert.equal((await api('POST', '/order-history', { token: admin.token, body: {} })).status, 405)
  })
})

describe('commerce: review fixes', () => {
  let admin: TestUser
  let owner: TestUser
  const stocked = (stock: number, priceCents = 1000) => stockedProduct(admin, { stock, priceCents })
  const stockOf = async (id: number) =>
    (await api('GET', `/products/${id}`, { token: admin.token })).body.stock
  const paidOrder = async (productId: number, quantity: number) => {
    const order = (
      await api('POST', '/orders', {
        token: owner.token,
        body: { items: [{ productId, quantity }], shippingAddress: SHIPPING_ADDRESS }
      })
    ).body
    const payment = await api('POST', '/payments', {
      token: owner.token,
      body: { orderId: order.id, paymentMethod: 'sim_succeed' }
    })
    return { order, payment: payment.body }
  }

  before(async () => {
    admin = await userWithRoles(['admin'])
    owner = await userWithRoles(['customer'])
  })

  it("answers 404 to any change of another customer's order, whatever its state", async () => {
    const product = await stocked(3)
    const { order } = await paidOrder(product.id, 1)
    const other = await userWithRoles(['customer'])
    for (const body of [
      { note: 'x' },
      { items: [{ productId: product.id, quantity: 999 }] },
      { status: 'cancelled' }
    ]) {
      assert.equal(
        (await api('PATCH', `/orders/${order.id}`, { token: other.token, body })).status,
        404,
        JSON.stringify(body)
      )
    }
    assert.equal(
      (await api('PATCH', '/orders/99999999', { token: admin.token, body: { note: 'x' } })).status,
      404
    )
  })

  it('returns the stock of a paid order refunded in full before shipping', async () => {
    const product = await stocked(5)
    const { payment } = await paidOrder(product.id, 2)
    assert.equal(await stockOf(product.id), 3)
    const refund = await api('POST', '/refunds', {
      token: admin.token,
      body: { paymentId: payment.id, amountCents: 2000, reason: 'gone' }
    })
    assert.equal(refund.status, 201, JSON.stringify(refund.body))
    assert.equal(await stockOf(product.id), 5)
  })

  it('still ships or cancels a partially refunded order', async () => {
    const product = await stocked(5)
    const { order, payment } = await paidOrder(product.id, 2)
    await api('POST', '/refunds', {
      token: admin.token,
      body: { paymentId: payment.id, amountCents: 100, reason: 'dent' }
    })
    const shipped = await api('PATCH', `/orders/${order.id}`, {
      token: admin.token,
      body: { status: 'shipped' }
    })
    assert.equal(shipped.status, 200, JSON.stringify(shipped.body))
    assert.equal(shipped.body.status, 'shipped')
  })

  it('lets no API key change order states or move reserved stock', async () => {
    const product = await stocked(5)
    const order = (
      await api('POST', '/orders', {
        token: owner.token,
        body: { items: [{ productId: product.id, quantity: 1 }], shippingAddress: SHIPPING_ADDRESS }
      })
    ).body
    const key = (
      await api('POST', '/api-keys', {
        token: admin.token,
        body: {
          name: 'ops',
          scopes: [
            { resource: 'orders', methods: ['get', 'patch'] },
            { resource: 'inventory', methods: ['create'] }
          ]
        }
      })
    ).body.key
    const cancel = await api('PATCH', `/orders/${order.id}`, {
      headers: { 'x-api-key': key },
      body: { status: 'cancelled' }
    })
    assert.equal(cancel.status, 409)
    for (const kind of ['reserve', 'release', 'ship']) {
      const moved = await api('POST', '/inventory', {
        headers: { 'x-api-key': key },
        body: { productId: product.id, kind, quantity: 1 }
      })
      assert.equal(moved.status, 403, kind)
    }
    assert.equal(await stockOf(product.id), 4)
  })
})

import assert from 'node:assert/strict'
import { api, userWithRoles, type TestUser } from '../../../../test/helpers/server'
import { pendingOrder, stockedProduct } from '../../../../test/helpers/commerce'
import { closeClients, openClient, settle } from '../../../../test/helpers/socket'

// Order lines belong to the order's owner (`userId`, derived through `orderId`): the owner and staff read them
// at /order-items, another customer gets the 404 of a line that does not exist.
describe('commerce: order lines at /order-items', () => {
  let admin: TestUser
  let support: TestUser
  let ann: TestUser
  let bob: TestUser
  let annOrder: any
  let bobOrder: any

  before(async () => {
    ;[admin, support, ann, bob] = await Promise.all([
      userWithRoles(['admin']),
      userWithRoles(['support']),
      userWithRoles(['customer']),
      userWithRoles(['customer'])
    ])
    const [tea, cups] = await Promise.all([
      stockedProduct(admin, { stock: 20, priceCents: 450 }),
      stockedProduct(admin, { stock: 20, priceCents: 1200 })
    ])
    const placed = await api('POST', '/orders', {
      token: ann.token,
      body: {
        items: [
          { productId: tea.id, quantity: 2 },
          { productId: cups.id, quantity: 1 }
        ]
      }
    })
    assert.equal(placed.status, 201, JSON.stringify(placed.body))
    annOrder = placed.body
    bobOrder = await pendingOrder(bob)
  })

  it("gives every line its order's owner, also when an admin changes the order", async () => {
    const lines = await api('GET', `/order-items?orderId=${annOrder.id}`, { token: admin.token })
    assert.equal(lines.status, 200, JSON.stringify(lines.body))
    assert.deepEqual(
      lines.body.data.map((line: any) => [line.orderId, line.userId]),
      [
        [annOrder.id, ann.id],
        [annOrder.id, ann.id]
      ]
    )
    const changed = await api('PATCH', `/orders/${annOrder.id}`, {
      token: admin.token,
      body: { items: [{ productId: annOrder.items[0].productId, quantity: 3 }] }
    })
    assert.equal(changed.status, 200, JSON.stringify(changed.body))
    annOrder = changed.body
    const after = await api('GET', `/order-items?orderId=${annOrder.id}`, { token: admin.token })
    assert.deepEqual(
      after.body.data.map((line: any) => [line.quantity, line.userId]),
      [[3, ann.id]]
    )
  })

  it('lets a customer read their own lines, and answers 404 for another customer’s', async () => {
    const mine = await api('GET', `/order-items/${annOrder.items[0].id}`, { token: ann.token })
    assert.equal(mine.status, 200, JSON.stringify(mine.body))
    assert.equal(mine.body.orderId, annOrder.id)
    assert.equal(mine.body.sku, annOrder.items[0].sku)

    const theirs = await api('GET', `/order-items/${bobOrder.items[0].id}`, { token: ann.token })
    const missing = await api('GET', `/order-items/${bobOrder.items[0].id + 10_000_000}`, {
      token: ann.token
    })
    assert.equal(theirs.status, 404)
    assert.equal(missing.status, 404)
    assert.equal(
      JSON.stringify(theirs.body).replace(String(bobOrder.items[0].id), 'ID'),
      JSON.stringify(missing.body).replace(String(bobOrder.items[0].id + 10_000_000), 'ID'),
      'the same answer as for a line that does not exist'
    )
  })

  it('lists only the caller’s lines; staff read every line; nobody writes them here', async () => {
    const listed = await api('GET', '/order-items?$limit=200', { token: ann.token })
    assert.equal(listed.status, 200, JSON.stringify(listed.body))
    assert.ok(listed.body.data.length >= 1)
    assert.ok(listed.body.data.every((line: any) => line.userId === ann.id))
    const asked = await api('GET', `/order-items?orderId=${bobOrder.id}`, { token: ann.token })
    assert.deepEqual(asked.body.data, [], "another customer's order has no lines for her")

    const bobs = await api('GET', `/order-items/${bobOrder.items[0].id}`, { token: support.token })
    assert.equal(bobs.status, 200, JSON.stringify(bobs.body))
    assert.equal(bobs.body.userId, bob.id)

    const written = await api('POST', '/order-items', {
      token: ann.token,
      body: { orderId: annOrder.id, productId: annOrder.items[0].productId, quantity: 1 }
    })
    assert.equal(written.status, 405, JSON.stringify(written.body))
    const patched = await api('PATCH', `/order-items/${annOrder.items[0].id}`, {
      token: admin.token,
      body: { quantity: 9 }
    })
    assert.equal(patched.status, 405, JSON.stringify(patched.body))
  })
})

// Orders carry their lines as `items` through the declared relation (`include: { default: [items] }`), in the
// shape they always had: the lines by id, without order, owner or time. Writes answer and emit them too.
describe('commerce: an order’s items, through the declared relation', () => {
  const LINE_FIELDS = ['id', 'lineTotalCents', 'name', 'productId', 'quantity', 'sku', 'unitPriceCents']
  let admin: TestUser
  let ann: TestUser
  let products: any[]

  const keysOf = (items: any[]) => items.map((item) => Object.keys(item).sort())
  const linesOf = async (orderId: number) =>
    (await api('GET', `/order-items?orderId=${orderId}`, { token: admin.token })).body.data.map(
      ({ orderId: _order, userId: _owner, createdAt: _created, ...line }: any) => line
    )

  before(async () => {
    ;[admin, ann] = await Promise.all([userWithRoles(['admin']), userWithRoles(['customer'])])
    products = await Promise.all(
      [300, 200, 100].map((priceCents) => stockedProduct(admin, { stock: 50, priceCents }))
    )
  })
  after(closeClients)

  it('shows the lines in create, get, find and patch answers, by line id', async () => {
    const created = await api('POST', '/orders', {
      token: ann.token,
      body: {
        items: [
          { productId: products[2].id, quantity: 1 },
          { productId: products[0].id, quantity: 2 }
        ]
      }
    })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    const order = created.body
    assert.deepEqual(keysOf(order.items), [LINE_FIELDS, LINE_FIELDS])
    assert.deepEqual(order.items, await linesOf(order.id), 'the stored lines, in id order')
    assert.deepEqual(
      order.items.map((item: any) => [item.productId, item.quantity, item.lineTotalCents]),
      [
        [products[0].id, 2, 600],
        [products[2].id, 1, 100]
      ].sort((a, b) => a[0] - b[0]),
      'lines are written in product order'
    )

    const got = await api('GET', `/orders/${order.id}`, { token: ann.token })
    assert.deepEqual(got.body.items, order.items)
    const found = await api('GET', `/orders?$limit=100`, { token: ann.token })
    assert.deepEqual(found.body.data.find((one: any) => one.id === order.id).items, order.items)
    const staff = await api('GET', `/orders/${order.id}`, { token: admin.token })
    assert.deepEqual(staff.body.items, order.items)
    const selected = await api('GET', `/orders/${order.id}?$select[]=status`, { token: ann.token })
    assert.deepEqual(selected.body, { id: order.id, status: 'pending', items: order.items })
    const none = await api('GET', `/orders/${order.id}?$include=`, { token: ann.token })
    assert.equal(none.status, 200)
    assert.equal('items' in none.body, false, '`$include=` asks for no relation')

    const changed = await api('PATCH', `/orders/${order.id}`, {
      token: ann.token,
      body: { items: [{ productId: products[1].id, quantity: 4 }] }
    })
    assert.equal(changed.status, 200, JSON.stringify(changed.body))
    assert.deepEqual(changed.body.items, await linesOf(order.id))
    assert.deepEqual(
      changed.body.items.map((item: any) => [item.productId, item.quantity]),
      [[products[1].id, 4]]
    )
    const noted = await api('PATCH', `/orders/${order.id}`, {
      token: ann.token,
      body: { note: 'ring twice' }
    })
    assert.deepEqual(noted.body.items, changed.body.items, 'a patch without items answers the lines too')
    const cancelled = await api('PATCH', `/orders/${order.id}`, {
      token: admin.token,
      body: { status: 'cancelled' }
    })
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body))
    assert.deepEqual(cancelled.body.items, changed.body.items)
  })

  it('shows an API key the lines only when its scopes let it get order-items', async () => {
    const order = await pendingOrder(ann)
    const keyFor = async (scopes: object[]) =>
      (await api('POST', '/api-keys', { token: admin.token, body: { name: 'lines', scopes } })).body.key
    const ordersOnly = await keyFor([{ resource: 'orders', readOnly: true }])
    const withLines = await keyFor([
      { resource: 'orders', readOnly: true },
      { resource: 'order-items', readOnly: true }
    ])
    const asKey = (key: string) => api('GET', `/orders/${order.id}`, { headers: { 'x-api-key': key } })
    assert.deepEqual((await asKey(ordersOnly)).body.items, [])
    assert.deepEqual((await asKey(withLines)).body.items, order.items)
  })

  it('emits created and patched events with the lines, to the owner and staff', async () => {
    const [mine, staff] = await Promise.all([openClient(ann, ['orders']), openClient(admin, ['orders'])])
    const order = await mine.client
      .service('orders')
      .create({ items: [{ productId: products[0].id, quantity: 1 }] })
    await staff.client
      .service('orders')
      .patch(order.id, { items: [{ productId: products[1].id, quantity: 2 }] })
    await mine.client.service('orders').patch(order.id, { status: 'cancelled' })
    await settle()
    const stored = await linesOf(order.id)
    for (const { received } of [mine, staff]) {
      const events = received.filter((event) => event.data.id === order.id)
      assert.deepEqual(
        events.map((event) => [
          event.event,
          event.data.items.map((item: any) => [item.productId, item.quantity])
        ]),
        [
          ['orders created', [[products[0].id, 1]]],
          ['orders patched', [[products[1].id, 2]]],
          ['orders patched', [[products[1].id, 2]]]
        ]
      )
      assert.deepEqual(events.at(-1)!.data.items, stored)
    }
  })
})

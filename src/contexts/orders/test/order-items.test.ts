import assert from 'node:assert/strict'
import { api, userWithRoles, type TestUser } from '../../../../test/helpers/server'
import { pendingOrder, stockedProduct } from '../../../../test/helpers/commerce'

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

import assert from 'node:assert/strict'
import { testServer, userWithRoles, type TestUser } from '../helpers/server'
import { SHIPPING_ADDRESS, stockedProduct } from '../helpers/commerce'
import { closeClients, openClient, settle } from '../helpers/socket'

const watch = async (user: TestUser) => {
  const { client, received } = await openClient(user, ['orders'])
  return { client, seen: received }
}

describe('realtime: live order status reaches the owner and staff only', () => {
  after(closeClients)

  it('shows the owner pending -> paid -> shipped live; another customer sees nothing', async () => {
    const admin = await userWithRoles(['admin'])
    const owner = await userWithRoles(['customer'])
    const stranger = await userWithRoles(['customer'])
    const support = await userWithRoles(['support'])
    const product = await stockedProduct(admin, { stock: 3, priceCents: 100 })

    const [mine, theirs, staff, helpdesk] = await Promise.all([
      watch(owner),
      watch(stranger),
      watch(admin),
      watch(support)
    ])
    const order = await mine.client
      .service('orders')
      .create({ items: [{ productId: product.id, quantity: 1 }], shippingAddress: SHIPPING_ADDRESS })
    const { app } = await testServer()
    await app.service('orders').patch(order.id, { status: 'paid' })
    await staff.client.service('orders').patch(order.id, { status: 'shipped' })
    await settle()

    const statuses = (seen: { event: string; data: any }[]) =>
      seen
        .filter((e) => e.data.id === order.id)
        .map((e) => `${e.event.replace('orders ', '')}:${e.data.status}`)
    assert.deepEqual(statuses(mine.seen), ['created:pending', 'patched:paid', 'patched:shipped'])
    assert.deepEqual(statuses(staff.seen), ['created:pending', 'patched:paid', 'patched:shipped'])
    assert.deepEqual(statuses(helpdesk.seen), ['created:pending', 'patched:paid', 'patched:shipped'])
    assert.deepEqual(statuses(theirs.seen), [])
    assert.equal(mine.seen[0].data.items[0].productId, product.id, 'events carry the order lines')
    await assert.rejects(theirs.client.service('orders').get(order.id), { code: 404 })
  })
})

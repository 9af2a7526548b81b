import assert from 'node:assert/strict'
import { api, testServer, userWithRoles, type TestUser } from '../helpers/server'
import { pendingOrder } from '../helpers/commerce'

// payments, refunds and order-history declare `userId: { owner: true, derived: <ref>.userId }`: the owner is
// copied from the referenced record by the engine, in the write's transaction.
describe('api: owners derived through a reference', () => {
  let customer: TestUser
  let other: TestUser
  let admin: TestUser

  before(async () => {
    ;[customer, other, admin] = await Promise.all([
      userWithRoles(['customer']),
      userWithRoles(['customer']),
      userWithRoles(['admin'])
    ])
  })

  it("makes a payment the order owner's: the owner sees it, another customer does not", async () => {
    const order = await pendingOrder(customer)
    const paid = await api('POST', '/payments', {
      token: admin.token,
      body: { orderId: order.id, paymentMethod: 'sim_succeed' }
    })
    assert.equal(paid.status, 201, JSON.stringify(paid.body))
    assert.equal(paid.body.userId, customer.id)
    assert.equal((await api('GET', `/payments/${paid.body.id}`, { token: customer.token })).status, 200)
    assert.equal((await api('GET', `/payments/${paid.body.id}`, { token: other.token })).status, 404)
    const listed = await api('GET', `/payments?orderId=${order.id}`, { token: other.token })
    assert.equal(listed.body.total, 0)
  })

  it('refuses a client-sent owner', async () => {
    const order = await pendingOrder(customer)
    const { status, body } = await api('POST', '/payments', {
      token: customer.token,
      body: { orderId: order.id, paymentMethod: 'sim_succeed', userId: customer.id }
    })
    assert.equal(status, 400)
    assert.equal(body.message, "Field 'userId' is read-only for you")
  })

  it('fills the owner of a record created internally without one, and overrides a wrong one', async () => {
    const { app } = await testServer()
    const order = await pendingOrder(customer)
    const entry = { orderId: order.id, transition: 'note', fromStatus: 'pending', toStatus: 'pending' }
    const filled = await app.service('order-history').create(entry)
    assert.equal(filled.userId, customer.id)
    const corrected = await app.service('order-history').create({ ...entry, userId: other.id })
    assert.equal(corrected.userId, customer.id)
    const history = await api('GET', `/order-history?orderId=${order.id}`, { token: customer.token })
    assert.ok(history.body.data.some((row: any) => row.id === filled.id))
  })
})

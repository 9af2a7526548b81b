import assert from 'node:assert/strict'
import { api, unique, userWithRoles, type TestUser } from '../helpers/server'
import { pendingOrder, stockedProduct } from '../helpers/commerce'
import { closeClients, openClient } from '../helpers/socket'

// Relations declared in the repository: products `as: category` (categoryId), orders `items` (order-items
// `reverse: items`). What a reader gets of them is what they may `get` of the related resource.
describe('api: $include of declared relations (REST and Socket.io)', () => {
  let admin: TestUser
  let customer: TestUser
  let other: TestUser
  let product: any
  let category: any

  before(async () => {
    ;[admin, customer, other] = await Promise.all([
      userWithRoles(['admin']),
      userWithRoles(['customer']),
      userWithRoles(['customer'])
    ])
    category = (
      await api('POST', '/categories', { token: admin.token, body: { name: 'Rel', slug: unique('rel') } })
    ).body
    product = await stockedProduct(admin, { stock: 10 })
    await api('PATCH', `/products/${product.id}`, { token: admin.token, body: { categoryId: category.id } })
  })
  after(closeClients)

  it('includes a belongsTo in get and find, in each of the query forms', async () => {
    const one = await api('GET', `/products/${product.id}?$include=category`)
    assert.equal(one.status, 200, JSON.stringify(one.body))
    assert.deepEqual(one.body.category, category)
    const listed = await api('GET', `/products?sku=${product.sku}&$include[]=category&$select[]=name`)
    assert.equal(listed.status, 200, JSON.stringify(listed.body))
    assert.deepEqual(listed.body.data, [{ id: product.id, name: product.name, category }])
    const plain = await api('GET', `/products/${product.id}`)
    assert.equal('category' in plain.body, false, 'included only when asked for')
  })

  it('answers an undeclared relation with a 400 naming it', async () => {
    const { status, body } = await api('GET', `/products/${product.id}?$include=category,reviews`)
    assert.equal(status, 400)
    assert.equal(
      body.message,
      "Invalid query: $include names no relation of products: 'reviews' (known: category)"
    )
    assert.deepEqual(body.errors, [
      { field: '$include', message: "names no relation of products: 'reviews' (known: category)" }
    ])
    assert.equal((await api('GET', `/categories?$include=products`)).status, 400, 'categories declare none')
  })

  it('reads order items through the relation, for staff the same lines the order shows', async () => {
    const order = await pendingOrder(customer)
    const { status, body } = await api('GET', `/orders/${order.id}?$include=items`, { token: admin.token })
    assert.equal(status, 200, JSON.stringify(body))
    assert.equal(body.items.length, 1)
    assert.deepEqual(body.items, order.items, 'the relation declares the fields the behaviour shows')
    const unchanged = await api('GET', `/orders/${order.id}`, { token: customer.token })
    assert.deepEqual(unchanged.body.items, order.items, 'without $include the REST shape is unchanged')
  })

  it('works over Socket.io with the same query', async () => {
    const { client } = await openClient(customer)
    const got = await client.service('products').get(product.id, { query: { $include: ['category'] } })
    assert.deepEqual(got.category, category)
    await assert.rejects(client.service('products').find({ query: { $include: 'nope' } }), {
      code: 400,
      message: "Invalid query: $include names no relation of products: 'nope' (known: category)"
    })
  })

  it("answers paying another customer's order exactly like paying one that does not exist (REST and Socket.io)", async () => {
    const theirs = await pendingOrder(other)
    const missing = theirs.id + 10_000_000
    const pay = (orderId: number) =>
      api('POST', '/payments', { token: customer.token, body: { orderId, paymentMethod: 'sim_succeed' } })
    const [hidden, absent] = [await pay(theirs.id), await pay(missing)]
    assert.equal(hidden.status, absent.status)
    // The answer may echo the id that was sent, nothing else differs.
    assert.equal(
      JSON.stringify(hidden.body).replace(String(theirs.id), 'ID'),
      JSON.stringify(absent.body).replace(String(missing), 'ID')
    )
    const { client } = await openClient(customer)
    const answer = (orderId: number) =>
      client
        .service('payments')
        .create({ orderId, paymentMethod: 'sim_succeed' })
        .then(
          () => 'created',
          (error: any) => JSON.stringify(error).replace(String(orderId), 'ID')
        )
    assert.equal(await answer(theirs.id), await answer(missing))
  })
})

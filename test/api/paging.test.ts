import assert from 'node:assert/strict'
import { api, testServer, unique, userWithRoles, type TestUser } from '../helpers/server'
import { pendingOrder } from '../helpers/commerce'
import { closeClients, openClient } from '../helpers/socket'

/** Every page of `path` at `$limit`, following `$skip` to the end. */
const allPages = async (path: string, token: string, limit: number) => {
  const ids: number[] = []
  for (let skip = 0; ; skip += limit) {
    const page = await api('GET', `${path}&$limit=${limit}&$skip=${skip}`, { token })
    assert.equal(page.status, 200, JSON.stringify(page.body))
    ids.push(...page.body.data.map((row: any) => row.id as number))
    if (skip + limit >= page.body.total) return { ids, total: page.body.total as number }
  }
}

/** Gives rows one `createdAt`, as rows written in the same millisecond have. */
const sameInstant = async (table: string, ids: number[]) => {
  const { app } = await testServer()
  await app
    .get('knex')(table)
    .whereIn('id', ids)
    .update({ createdAt: new Date('2026-01-01T00:00:00.000Z') })
}

const assertEachOnce = (seen: number[], expected: number[], what: string) => {
  assert.equal(seen.length, expected.length, `${what}: ${seen.length} rows for ${expected.length}`)
  assert.deepEqual(
    [...seen].sort((a, b) => a - b),
    [...expected].sort((a, b) => a - b),
    what
  )
}

describe('paging: every sorted page is deterministic (ties broken by id)', () => {
  let admin: TestUser
  let customer: TestUser
  after(closeClients)

  before(async () => {
    ;[admin, customer] = await Promise.all([userWithRoles(['admin']), userWithRoles(['customer'])])
  })

  it('returns each order exactly once when createdAt and totalCents tie, in id order within a tie', async () => {
    const orders: number[] = []
    for (let i = 0; i < 23; i++) orders.push((await pendingOrder(customer, 700)).id)
    await sameInstant('orders', orders)
    for (const sort of [
      '$sort[createdAt]=1',
      '$sort[createdAt]=-1',
      '$sort[totalCents]=1&$sort[createdAt]=-1'
    ]) {
      for (const limit of [2, 3, 5, 10]) {
        const { ids, total } = await allPages(`/orders?${sort}`, customer.token, limit)
        assert.equal(total, orders.length)
        assertEachOnce(ids, orders, `${sort} $limit=${limit}`)
        assert.deepEqual(
          ids,
          [...orders].sort((a, b) => a - b),
          `${sort}: ties in id order`
        )
      }
    }
    // The same over Socket.io: one pipeline, one tie-breaker.
    const { client } = await openClient(customer, [])
    const seen: number[] = []
    for (let skip = 0; skip < orders.length; skip += 3) {
      const page = await client
        .service('orders')
        .find({ query: { $sort: { createdAt: -1 }, $limit: 3, $skip: skip } })
      seen.push(...page.data.map((order: any) => order.id as number))
    }
    assert.deepEqual(
      seen,
      [...orders].sort((a, b) => a - b),
      'Socket.io pages'
    )
  })

  it('returns each product exactly once when the sorted field ties, for anonymous and staff alike', async () => {
    const tag = unique('tie')
    const products: number[] = []
    for (let i = 0; i < 17; i++) {
      const product = await api('POST', '/products', {
        token: admin.token,
        body: { sku: unique('T'), name: `${tag} ${i}`, priceCents: 999, currency: 'USD', status: 'active' }
      })
      assert.equal(product.status, 201, JSON.stringify(product.body))
      products.push(product.body.id)
    }
    await sameInstant('products', products)
    const filter = `/products?name[$ilike]=%25${tag}%25`
    for (const sort of [
      '$sort[priceCents]=1',
      '$sort[createdAt]=-1',
      '$sort[priceCents]=-1&$sort[createdAt]=1'
    ]) {
      for (const limit of [2, 3, 4]) {
        for (const token of [admin.token, '']) {
          const { ids } = await allPages(`${filter}&${sort}`, token, limit)
          assertEachOnce(ids, products, `${sort} $limit=${limit}`)
        }
      }
    }
  })
})

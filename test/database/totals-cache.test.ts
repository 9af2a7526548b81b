import assert from 'node:assert/strict'
import type { Knex } from 'knex'
import { TableChanges } from '../../src/database/table-changes'
import { TotalsCache, tablesRead } from '../../src/database/totals-cache'
import { stockedProduct } from '../helpers/commerce'
import { api, testServer, unique, userWithRoles, type TestUser } from '../helpers/server'

describe('database: page totals are cached per count query and always exact', () => {
  let knex: Knex
  let admin: TestUser
  let counts: string[]
  const countCounts = (query: any) => {
    if (/^select count\(/i.test(query.sql)) counts.push(query.sql)
  }

  before(async () => {
    knex = (await testServer()).app.get('knex')
    admin = await userWithRoles(['admin'])
    knex.on('query', countCounts)
  })
  after(() => knex.removeListener('query', countCounts))
  beforeEach(() => (counts = []))

  const category = async () =>
    (await api('POST', '/categories', { token: admin.token, body: { name: 'Totals', slug: unique('t') } }))
      .body.id
  const product = (categoryId: number, extra: Record<string, unknown> = {}) =>
    api('POST', '/products', {
      token: admin.token,
      body: { sku: unique('T'), name: 'Counted', priceCents: 5, currency: 'EUR', categoryId, ...extra }
    })
  const total = async (query: string) => {
    const response = await api('GET', `/products?${query}&$limit=1`, { token: admin.token })
    assert.equal(response.status, 200)
    return response.body.total as number
  }

  it('counts a repeated page once, and again as soon as a row of its table changes', async () => {
    const categoryId = await category()
    await product(categoryId)
    await product(categoryId)
    assert.equal(await total(`categoryId=${categoryId}`), 2)
    assert.equal(await total(`categoryId=${categoryId}`), 2)
    assert.equal(counts.length, 1, 'the second page took its total from the cache')
    await product(categoryId)
    assert.equal(await total(`categoryId=${categoryId}`), 3, 'a created row counts at once')
    assert.equal(counts.length, 2)
  })

  it("sees writes that bypass the services: the inventory ledger's own UPDATE of stock", async () => {
    const categoryId = await category()
    const created = await product(categoryId, { status: 'active' })
    const inStock = `categoryId=${categoryId}&stock[$gte]=1`
    assert.equal(await total(inStock), 0)
    assert.equal(await total(inStock), 0)
    const received = await api('POST', '/inventory', {
      token: admin.token,
      body: { productId: created.body.id, kind: 'receive', quantity: 5 }
    })
    assert.equal(received.status, 201)
    assert.equal(await total(inStock), 1)
  })

  it("keeps each caller's row scope apart: one customer's total is never another's", async () => {
    const [ann, bob] = [await userWithRoles(['customer']), await userWithRoles(['customer'])]
    const { id: productId } = await stockedProduct(admin, { stock: 10 })
    const order = (user: TestUser) =>
      api('POST', '/orders', { token: user.token, body: { items: [{ productId, quantity: 1 }] } })
    const orders = async (user: TestUser) =>
      (await api('GET', '/orders?$limit=1', { token: user.token })).body.total as number
    assert.equal((await order(ann)).status, 201)
    assert.equal(await orders(ann), 1)
    assert.equal(await orders(bob), 0)
    assert.equal((await order(bob)).status, 201)
    assert.equal((await order(bob)).status, 201)
    assert.deepEqual([await orders(ann), await orders(bob)], [1, 2])
  })

  describe('TotalsCache', () => {
    const sql = 'select count("widgets"."id") as "total" from "widgets" where "widgets"."size" = ?'
    let changes: TableChanges
    before(() => (changes = new TableChanges(knex)))

    it('reads the tables a count query reads', () => {
      assert.deepEqual(tablesRead(sql), ['widgets'])
      assert.deepEqual(tablesRead('select count(*) from "a" inner join "b" on a.id = b.id'), ['a', 'b'])
    })

    it('never stores a count that raced a change of its table', async () => {
      const cache = new TotalsCache(60_000, changes)
      let counted = 0
      await cache.total(sql, [1], async () => {
        counted++
        cache.changed(['widgets'])
        return 7
      })
      assert.equal(await cache.total(sql, [1], async () => ++counted && 8), 8)
      assert.equal(await cache.total(sql, [1], async () => ++counted && 9), 8, 'the clean count was kept')
      assert.equal(counted, 2)
    })

    it('keys by the values too, drops entries after cacheSeconds, and stores nothing when turned off', async () => {
      const cache = new TotalsCache(50, changes)
      assert.equal(await cache.total(sql, [1], async () => 1), 1)
      assert.equal(await cache.total(sql, [2], async () => 2), 2)
      assert.equal(await cache.total(sql, [1], async () => 99), 1)
      await new Promise((resolve) => setTimeout(resolve, 60))
      assert.equal(await cache.total(sql, [1], async () => 3), 3)
      const off = new TotalsCache(0, changes)
      await off.total(sql, [1], async () => 1)
      assert.equal(await off.total(sql, [1], async () => 2), 2)
      assert.equal(off.size, 0)
    })
  })
})

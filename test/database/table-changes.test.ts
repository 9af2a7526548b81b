import assert from 'node:assert/strict'
import type { Knex } from 'knex'
import { TableChanges, tableWritten, UNTRACKED_END_MS } from '../../src/database/table-changes'
import { testServer, unique } from '../helpers/server'

describe('database: TableChanges sees which tables every statement and transaction wrote', () => {
  let knex: Knex
  let changes: TableChanges
  let heard: string[][]

  before(async () => {
    knex = (await testServer()).app.get('knex')
    // Its own tracker on the server's database: what it concludes touches nothing the server uses.
    changes = new TableChanges(knex)
    // The server's own workers write too (the relay's outbox marks, webhook claims): only the table tested counts.
    changes.onChange((tables) => {
      if (tables.includes('categories')) heard.push(tables.filter((table) => table === 'categories'))
    })
  })
  beforeEach(() => (heard = []))

  it('reads the table from the statements knex and raw SQL write, and nothing from reads', () => {
    assert.equal(tableWritten('insert into "products" ("name") values ($1)'), 'products')
    assert.equal(tableWritten('update "order_items" set "quantity" = $1'), 'order_items')
    assert.equal(tableWritten('delete from "categories" where "id" = $1'), 'categories')
    assert.equal(tableWritten('UPDATE products SET stock = stock - $2'), 'products')
    assert.equal(tableWritten('truncate table "sessions"'), 'sessions')
    assert.equal(tableWritten('select count("products"."id") as "total" from "products"'), undefined)
    assert.equal(tableWritten('COMMIT;'), undefined)
  })

  it('reports a single statement once it has answered', async () => {
    await knex('categories').insert({ name: unique('c'), slug: unique('c') })
    assert.deepEqual(heard, [['categories']])
    await knex('categories').where({ id: -1 }).first()
    assert.deepEqual(heard, [['categories']], 'a read changes nothing')
  })

  it('holds a transaction\'s tables as "being written" until it has ended, then reports them once', async () => {
    await changes.transaction(knex, async (trx) => {
      await trx('categories').insert({ name: unique('c'), slug: unique('c') })
      await trx('categories').where({ id: -1 }).delete()
      assert.equal(changes.isBeingWritten('categories'), true)
      assert.deepEqual(heard, [], 'nothing is changed before the commit')
    })
    assert.equal(changes.isBeingWritten('categories'), false)
    assert.deepEqual(heard, [['categories']])
  })

  it('reports a rolled-back transaction too, and lets its error through', async () => {
    await assert.rejects(
      changes.transaction(knex, async (trx) => {
        await trx('categories').insert({ name: unique('c'), slug: unique('c') })
        throw new Error('changed my mind')
      }),
      /changed my mind/
    )
    assert.equal(changes.isBeingWritten('categories'), false)
    assert.deepEqual(heard, [['categories']])
  })

  it("counts a transaction it was not told about (the migrator's) as ended a moment after its COMMIT", async () => {
    await knex.transaction(async (trx) => {
      await trx('categories').where({ id: -1 }).delete()
    })
    assert.equal(changes.isBeingWritten('categories'), true, 'its end is not known yet')
    assert.deepEqual(heard, [])
    await new Promise((resolve) => setTimeout(resolve, UNTRACKED_END_MS + 100))
    assert.equal(changes.isBeingWritten('categories'), false)
    assert.deepEqual(heard, [['categories']])
  })
})

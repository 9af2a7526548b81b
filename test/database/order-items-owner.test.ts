import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { MIGRATIONS_DIR, rollbackMigrations, runMigrations } from '../../src/database/migrate'
import { readSnapshot } from '../../src/engine/migrations/migration-snapshot'
import { expected, introspect, openTestDatabase, type TestDatabase } from './migration-helpers'

// The committed migration that gives order lines their owner (`order_items.userId`, derived from the order),
// applied to a database that already has orders: the column is filled from each line's order before it
// becomes required, and the committed migrations then leave exactly the schema of migrations/snapshot.json.

const OWNER_MIGRATION = '20261207135109_order-items-owner.ts'

describe('migration order-items-owner: backfills the owner of existing order lines', function () {
  this.timeout(60_000)
  let db: TestDatabase
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-owner-'))
  const committed = fs.readdirSync(MIGRATIONS_DIR).filter((file) => file.endsWith('.ts'))
  const copy = (files: string[]) =>
    files.forEach((file) => fs.copyFileSync(path.join(MIGRATIONS_DIR, file), path.join(dir, file)))

  before(async () => {
    db = await openTestDatabase()
  })
  after(async () => {
    fs.rmSync(dir, { recursive: true, force: true })
    await db?.close()
  })

  it('fills userId from the order, then makes it required', async () => {
    assert.ok(committed.includes(OWNER_MIGRATION))
    copy(committed.filter((file) => file < OWNER_MIGRATION))
    await runMigrations(db.knex, dir)
    const { knex } = db
    const [ann, bob] = await knex('users').insert(
      [
        { email: 'ann@example.com', password: 'x', name: 'Ann' },
        { email: 'bob@example.com', password: 'x', name: 'Bob' }
      ],
      'id'
    )
    const [product] = await knex('products').insert(
      { sku: 'TEA', name: 'Tea', priceCents: 450, currency: 'USD', status: 'active' },
      'id'
    )
    const [annOrder, bobOrder] = await knex('orders').insert([{ userId: ann.id }, { userId: bob.id }], 'id')
    const line = { productId: product.id, sku: 'TEA', name: 'Tea', unitPriceCents: 450 }
    await knex('order_items').insert([
      { ...line, orderId: annOrder.id, quantity: 1, lineTotalCents: 450 },
      { ...line, orderId: bobOrder.id, quantity: 2, lineTotalCents: 900 },
      { ...line, orderId: annOrder.id, quantity: 3, lineTotalCents: 1350 }
    ])

    copy([OWNER_MIGRATION])
    assert.deepEqual(await runMigrations(knex, dir), [OWNER_MIGRATION])
    const lines = await knex('order_items').orderBy('id')
    assert.deepEqual(
      lines.map((row) => [row.orderId, row.quantity, row.userId]),
      [
        [annOrder.id, 1, ann.id],
        [bobOrder.id, 2, bob.id],
        [annOrder.id, 3, ann.id]
      ]
    )
    await assert.rejects(
      knex('order_items').insert({ ...line, orderId: annOrder.id, quantity: 1, lineTotalCents: 450 }),
      /userId/,
      'a line without its owner is refused now'
    )
  })

  it('leaves the schema of migrations/snapshot.json, and rolls back to lines without owners', async () => {
    copy(committed.filter((file) => file > OWNER_MIGRATION))
    await runMigrations(db.knex, dir)
    assert.deepEqual(await introspect(db.knex), expected(readSnapshot(MIGRATIONS_DIR)))

    // Later migrations (if any) were one batch, the owner migration the batch before.
    let rolledBack = await rollbackMigrations(db.knex, dir)
    if (!rolledBack.includes(OWNER_MIGRATION)) rolledBack = await rollbackMigrations(db.knex, dir)
    assert.deepEqual(rolledBack, [OWNER_MIGRATION])
    const lines = await db.knex('order_items').orderBy('id')
    assert.equal(lines.length, 3, 'the lines stay')
    assert.equal('userId' in lines[0], false)
  })
})

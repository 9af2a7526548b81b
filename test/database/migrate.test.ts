import assert from 'node:assert/strict'
import type { Knex } from 'knex'
import { pendingMigrations, rollbackMigrations, runMigrations } from '../../src/database/migrate'
import type { ColumnModel, SchemaModel } from '../../src/engine/migrations/table-model'
import {
  expected,
  introspect,
  MigrationSteps,
  openTestDatabase,
  type TestDatabase
} from './migration-helpers'

// One schema's life: created empty, filled with rows, then changed by a generated migration per kind of
// change. Rows must survive every step and the catalog must match the model; then everything rolls back.

const id: ColumnModel = { kind: 'increments', nullable: false, primary: true }

const initial: SchemaModel = {
  users: {
    name: 'users',
    columns: {
      id,
      email: { kind: 'string', length: 254, nullable: false, unique: true },
      name: { kind: 'string', length: 100, nullable: true }
    }
  },
  orders: {
    name: 'orders',
    columns: {
      id,
      userId: {
        kind: 'integer',
        nullable: false,
        index: true,
        references: { table: 'users', column: 'id', onDelete: 'cascade' }
      },
      status: { kind: 'string', length: 64, nullable: false, default: "'pending'" },
      quantity: { kind: 'integer', nullable: false, default: '1' },
      note: { kind: 'string', length: 20, nullable: true },
      createdAt: { kind: 'timestamptz', nullable: false, default: 'now()' }
    }
  }
}

/** A copy of `schema` changed by `edit`. */
const change = (schema: SchemaModel, edit: (copy: SchemaModel) => void) => {
  const copy = structuredClone(schema)
  edit(copy)
  return copy
}

const orderRows = (knex: Knex) => knex('orders').orderBy('id')

describe('migrations generated from declarations, applied with rows in place', function () {
  this.timeout(60_000)
  let db: TestDatabase
  let steps: MigrationSteps
  const models: SchemaModel[] = []

  /** Applies the migration to `next` and checks the catalog matches it. */
  const step = async (next: SchemaModel, name: string) => {
    const source = await steps.step(next, name)
    models.push(next)
    assert.deepEqual(await introspect(db.knex), expected(next), `catalog after ${name}`)
    return source
  }

  before(async () => {
    db = await openTestDatabase()
    steps = new MigrationSteps(db.knex)
  })
  after(async () => {
    steps?.remove()
    await db?.close()
  })

  it('starts from an empty database and applies the create migration', async () => {
    steps.write(initial, 'create')
    assert.deepEqual(await pendingMigrations(db.knex, steps.dir), ['001_create.ts'])
    assert.deepEqual(await runMigrations(db.knex, steps.dir), ['001_create.ts'])
    assert.deepEqual(await pendingMigrations(db.knex, steps.dir), [])
    assert.deepEqual(await runMigrations(db.knex, steps.dir), [])
    steps.current = initial
    models.push(initial)
    assert.deepEqual(await introspect(db.knex), expected(initial))

    const [ann, bob] = await db
      .knex('users')
      .insert([{ email: 'ann@example.com', name: 'Ann' }, { email: 'bob@example.com' }], 'id')
    await db
      .knex('orders')
      .insert([
        { userId: ann.id },
        { userId: ann.id, status: 'paid', quantity: 3, note: 'short' },
        { userId: bob.id, note: 'a longer note' }
      ])
    const rows = await orderRows(db.knex)
    assert.deepEqual(
      rows.map((row) => [row.status, row.quantity, row.note]),
      [
        ['pending', 1, null],
        ['paid', 3, 'short'],
        ['pending', 1, 'a longer note']
      ]
    )
    assert.match(rows[0].createdAt, /^\d{4}-\d\d-\d\dT.*Z$/)
  })

  it('adds an optional column', async () => {
    await step(
      change(models.at(-1)!, (s) => (s.orders.columns.shippedAt = { kind: 'timestamptz', nullable: true })),
      'add-shipped-at'
    )
    assert.deepEqual(
      (await orderRows(db.knex)).map((row) => row.shippedAt),
      [null, null, null]
    )
  })

  it('adds required columns with a default, filled in for existing rows', async () => {
    await step(
      change(models.at(-1)!, (s) => {
        s.orders.columns.priority = { kind: 'integer', nullable: false, default: '0' }
        s.users.columns.roles = { kind: 'jsonb', nullable: false, default: `'["customer"]'::jsonb` }
      }),
      'add-priority-and-roles'
    )
    assert.deepEqual(
      (await orderRows(db.knex)).map((row) => row.priority),
      [0, 0, 0]
    )
    assert.deepEqual(
      (await db.knex('users').orderBy('id')).map((row) => row.roles),
      [['customer'], ['customer']]
    )
  })

  it('drops a column, keeping the rows', async () => {
    await step(
      change(models.at(-1)!, (s) => delete s.users.columns.name),
      'drop-user-name'
    )
    const users = await db.knex('users').orderBy('id')
    assert.deepEqual(
      users.map((row) => row.email),
      ['ann@example.com', 'bob@example.com']
    )
    assert.ok(!('name' in users[0]))
  })

  it('changes column types: widens a string, turns an integer into a double', async () => {
    await step(
      change(models.at(-1)!, (s) => {
        s.orders.columns.note.length = 200
        s.orders.columns.quantity.kind = 'double'
      }),
      'widen-note-quantity'
    )
    await db.knex('orders').where({ note: 'short' }).update({ quantity: 2.5 })
    assert.deepEqual(
      (await orderRows(db.knex)).map((row) => [row.quantity, row.note]),
      [
        [1, null],
        [2.5, 'short'],
        [1, 'a longer note']
      ]
    )
  })

  it('refuses to truncate when narrowing a string; narrows when every value fits', async () => {
    const tooShort = change(models.at(-1)!, (s) => (s.orders.columns.note.length = 5))
    await assert.rejects(steps.step(tooShort, 'narrow-note-too-far'), /too long/)
    assert.deepEqual(await introspect(db.knex), expected(models.at(-1)!))
    await step(
      change(models.at(-1)!, (s) => (s.orders.columns.note.length = 13)),
      'narrow-note'
    )
    assert.deepEqual(
      (await orderRows(db.knex)).map((row) => row.note),
      [null, 'short', 'a longer note']
    )
  })

  it('toggles nullability: required with a default fills nulls; without one fails while nulls exist', async () => {
    const noDefault = change(models.at(-1)!, (s) => (s.orders.columns.shippedAt.nullable = false))
    await assert.rejects(steps.step(noDefault, 'require-shipped-at'), /null/)
    assert.deepEqual(await introspect(db.knex), expected(models.at(-1)!))

    await step(
      change(models.at(-1)!, (s) => {
        Object.assign(s.orders.columns.note, { nullable: false, default: "''" })
        s.orders.columns.status.nullable = true
      }),
      'require-note'
    )
    assert.deepEqual(
      (await orderRows(db.knex)).map((row) => row.note),
      ['', 'short', 'a longer note']
    )
    const [{ id: orderId }] = await db
      .knex('orders')
      .insert({ userId: 1, status: null, note: 'no status' }, 'id')
    assert.equal((await db.knex('orders').where({ id: orderId }).first()).status, null)
    await db.knex('orders').where({ id: orderId }).del()
  })

  it('changes a default', async () => {
    await step(
      change(models.at(-1)!, (s) => (s.orders.columns.status.default = "'new'")),
      'status-default-new'
    )
    const [{ id: orderId }] = await db.knex('orders').insert({ userId: 2, note: 'fourth' }, 'id')
    assert.equal((await db.knex('orders').where({ id: orderId }).first()).status, 'new')
    assert.equal((await orderRows(db.knex))[0].status, 'pending')
  })

  it('adds and drops indexes and unique constraints', async () => {
    await step(
      change(models.at(-1)!, (s) => {
        s.orders.columns.userId.index = false
        s.orders.columns.status.index = true
        s.orders.columns.note.unique = true
        s.users.columns.email.unique = false
        s.users.columns.email.index = true
      }),
      'indexes'
    )
    await assert.rejects(db.knex('orders').insert({ userId: 1, note: 'short' }), /orders_note_unique/)
    await db.knex('users').insert({ email: 'ann@example.com' })
    await db.knex('users').where({ id: 3 }).del()
  })

  it('adds a foreign key with onDelete to an existing column, and changes one', async () => {
    await step(
      change(models.at(-1)!, (s) => {
        s.products = {
          name: 'products',
          columns: { id, name: { kind: 'string', length: 100, nullable: false } }
        }
        s.orders.columns.productId = { kind: 'integer', nullable: true }
      }),
      'add-products'
    )
    const [{ id: productId }] = await db.knex('products').insert({ name: 'Tea' }, 'id')
    await db.knex('orders').update({ productId })
    await step(
      change(models.at(-1)!, (s) => {
        s.orders.columns.productId.references = { table: 'products', column: 'id', onDelete: 'set null' }
        s.orders.columns.userId.references!.onDelete = 'restrict'
      }),
      'link-products'
    )
    await assert.rejects(db.knex('orders').insert({ userId: 1, productId: 999, note: 'x' }), /foreign key/)
    await assert.rejects(db.knex('users').where({ id: 1 }).del(), /foreign key/)
    await db.knex('products').where({ id: productId }).del()
    assert.deepEqual(
      (await orderRows(db.knex)).map((row) => row.productId),
      [null, null, null, null]
    )
  })

  it('rolls every migration back with down, one batch at a time, keeping rows until the tables go', async () => {
    for (let index = models.length - 1; index > 0; index--) {
      const [name] = await rollbackMigrations(db.knex, steps.dir)
      assert.match(name, new RegExp(`^${String(index + 1).padStart(3, '0')}_`))
      assert.deepEqual(
        await introspect(db.knex),
        expected(models[index - 1]),
        `catalog after down of ${name}`
      )
      assert.equal((await db.knex('orders').count({ count: '*' }))[0].count, 4)
    }
    assert.deepEqual(await rollbackMigrations(db.knex, steps.dir), ['001_create.ts'])
    assert.deepEqual(await introspect(db.knex), {})
    assert.deepEqual(await pendingMigrations(db.knex, steps.dir), steps.files)
  })
})

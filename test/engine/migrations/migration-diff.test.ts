import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as prettier from 'prettier'
import ts from 'typescript'
import { describeChanges, diffSchemas, MigrationRefused } from '../../../src/engine/migrations/migration-diff'
import type { ColumnModel, SchemaModel, TableModel } from '../../../src/engine/migrations/table-model'
import {
  constraintNames,
  expected,
  introspect,
  MigrationSteps,
  openTestDatabase,
  resetDatabase,
  type TestDatabase
} from '../../database/migration-helpers'

// Each case checks the generated code, then applies it to a real database (PGlite, or PostgreSQL with
// DATABASE_URL) and rolls it back one migration at a time, comparing the catalog with the model each time.

const id: ColumnModel = { kind: 'increments', nullable: false, primary: true }
const table = (name: string, columns: Record<string, ColumnModel>): TableModel => ({ name, columns })
const schema = (...tables: TableModel[]): SchemaModel => Object.fromEntries(tables.map((t) => [t.name, t]))
const ref = (target: string, onDelete = 'restrict') => ({ table: target, column: 'id', onDelete })

const users = table('users', {
  id,
  email: { kind: 'string', length: 255, nullable: false, unique: true },
  managerId: { kind: 'integer', nullable: true, references: ref('users', 'set null') }
})
const orders = table('orders', {
  id,
  userId: { kind: 'integer', nullable: false, index: true, references: ref('users', 'cascade') },
  status: { kind: 'string', length: 64, nullable: false, default: "'pending'" },
  note: { kind: 'text', nullable: true }
})
const base = schema(users, orders)

/** `base` with some columns of `orders` replaced (undefined removes one). */
const withOrders = (columns: Record<string, ColumnModel | undefined>) => {
  const merged = { ...orders.columns, ...columns }
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key]
  return schema(users, table('orders', merged as Record<string, ColumnModel>))
}

const sections = (source: string) => {
  const [, up, down] = source.split(/export async function (?:up|down)\(knex: Knex\): Promise<void> \{\n/)
  return { up, down }
}

const generated: string[] = []

describe('diffSchemas', function () {
  this.timeout(60_000)
  let db: TestDatabase

  before(async () => {
    db = await openTestDatabase()
  })
  after(async () => {
    await db?.close()
  })
  afterEach(async () => {
    await resetDatabase(db.knex)
  })

  /** Applies each model in turn, then rolls back one migration at a time; returns the sources. */
  const roundTrip = async (
    models: Array<[string, SchemaModel]>,
    { revertedTo = {} }: { revertedTo?: Record<number, SchemaModel> } = {}
  ) => {
    const steps = new MigrationSteps(db.knex)
    try {
      for (const [name, model] of models) {
        await steps.step(model, name)
        assert.deepEqual(await introspect(db.knex), expected(model), `after up of ${name}`)
      }
      for (let index = models.length - 1; index >= 0; index--) {
        await steps.rollback()
        const previous = revertedTo[index] ?? (index > 0 ? models[index - 1][1] : {})
        assert.deepEqual(await introspect(db.knex), expected(previous), `after down of ${models[index][0]}`)
      }
    } finally {
      generated.push(...steps.sources)
      steps.remove()
    }
    return steps.sources
  }

  it('signals no change with null', () => {
    assert.equal(diffSchemas(base, structuredClone(base), 'same'), null)
    // Column order cannot change in place, and absent flags are false flags.
    const reordered = withOrders({})
    reordered.orders.columns = Object.fromEntries(Object.entries(orders.columns).reverse())
    reordered.users.columns.email = { ...users.columns.email, index: false, primary: false }
    assert.equal(diffSchemas(base, reordered, 'reordered'), null)
    assert.deepEqual(describeChanges(base, reordered), [])
  })

  it('creates tables with foreign-key targets first and drops them in reverse', async () => {
    const audit = table('audit', {
      id,
      orderId: { kind: 'integer', nullable: true, references: ref('orders') },
      fulfilmentWarehouseOrderId: { kind: 'integer', nullable: false, index: true, references: ref('orders') }
    })
    const [source] = await roundTrip([['create', schema(audit, ...Object.values(base))]])
    const { up, down } = sections(source)
    const position = (text: string, call: string) => text.indexOf(call)
    assert.ok(position(up, "createTable('users'") < position(up, "createTable('orders'"))
    assert.ok(position(up, "createTable('orders'") < position(up, "createTable('audit'"))
    assert.ok(position(down, "dropTable('audit')") < position(down, "dropTable('orders')"))
    assert.ok(position(down, "dropTable('orders')") < position(down, "dropTable('users')"))
    assert.match(up, /table\.increments\('id'\)\n/)
    assert.match(up, /table\.string\('email', 255\)\.notNullable\(\)\.unique\(\)/)
    assert.match(up, /\.references\('id'\)\.inTable\('users'\)\.onDelete\('SET NULL'\)/)
    assert.match(up, /table\.string\('status', 64\)\.notNullable\(\)\.defaultTo\(knex\.raw\("'pending'"\)\)/)
    assert.match(up, /table\.text\('note'\)\n/)
    // Too long for one line: one call per line, as Prettier prints it.
    assert.match(
      up,
      /table\n {6}\.integer\('fulfilmentWarehouseOrderId'\)\n {6}\.notNullable\(\)\n {6}\.index\(\)\n/
    )
  })

  it('breaks a foreign-key cycle by adding one key after both tables exist', async () => {
    const a = table('a', { id, bId: { kind: 'integer', nullable: true, references: ref('b') } })
    const b = table('b', { id, aId: { kind: 'integer', nullable: true, references: ref('a') } })
    const [source] = await roundTrip([['cycle', schema(a, b)]])
    const { up, down } = sections(source)
    assert.match(
      up,
      /createTable\('a', \(table\) => \{\n\s+table\.increments\('id'\)\n\s+table\.integer\('bId'\)\n/
    )
    assert.match(
      up,
      /alterTable\('a', \(table\) => \{\n\s+table\.foreign\('bId'\)\.references\('id'\)\.inTable\('b'\)/
    )
    assert.ok(down.indexOf("table.dropForeign(['bId'])") < down.indexOf('dropTable'))
  })

  it('drops tables', async () => {
    const [, source] = await roundTrip([
      ['create', base],
      ['drop-orders', schema(users)]
    ])
    const { up, down } = sections(source)
    assert.match(up, /^ {2}await knex\.schema\.dropTable\('orders'\)\n\}/)
    assert.match(down, /createTable\('orders'/)
  })

  it('adds optional columns and columns with a default', async () => {
    const next = withOrders({
      shippedAt: { kind: 'timestamptz', nullable: true },
      stock: { kind: 'integer', nullable: false, default: '0' }
    })
    const [, source] = await roundTrip([
      ['create', base],
      ['add-columns', next]
    ])
    const { up, down } = sections(source)
    assert.match(up, /table\.timestamp\('shippedAt', \{ useTz: true \}\)\n/)
    assert.match(up, /table\.integer\('stock'\)\.notNullable\(\)\.defaultTo\(knex\.raw\('0'\)\)/)
    assert.match(down, /table\.dropColumn\('shippedAt'\)\n\s+table\.dropColumn\('stock'\)/)
  })

  it('refuses a required column without a default on an existing table', () => {
    const next = withOrders({ currency: { kind: 'string', length: 3, nullable: false } })
    assert.throws(
      () => diffSchemas(base, next, 'add-currency'),
      (error: Error) =>
        error instanceof MigrationRefused &&
        /orders\.currency/.test(error.message) &&
        /declare a default/i.test(error.message) &&
        /optional/.test(error.message)
    )
    // A new table has no rows, so there it is fine.
    assert.ok(diffSchemas({}, next, 'create'))
  })

  it('drops columns; down brings a dropped required column without default back nullable', async () => {
    const before = withOrders({ code: { kind: 'string', length: 16, nullable: false } })
    const after = withOrders({ status: undefined, note: undefined })
    const [, source] = await roundTrip(
      [
        ['create', before],
        ['drop-columns', after]
      ],
      // Its values are gone and existing rows have none to give it.
      { revertedTo: { 1: withOrders({ code: { kind: 'string', length: 16, nullable: true } }) } }
    )
    const { up, down } = sections(source)
    assert.match(
      up,
      /table\.dropColumn\('status'\)\n\s+table\.dropColumn\('note'\)\n\s+table\.dropColumn\('code'\)/
    )
    // status had a default, so it comes back as it was.
    assert.match(down, /table\.string\('status', 64\)\.notNullable\(\)\.defaultTo/)
    assert.match(down, /cannot come back: the column returns nullable\.\n\s+table\.string\('code', 16\)\n/)
  })

  it('changes column types without ever truncating values', async () => {
    const before = withOrders({
      status: { kind: 'string', length: 64, nullable: false, default: "'pending'" },
      note: { kind: 'string', length: 100, nullable: true },
      quantity: { kind: 'integer', nullable: true },
      label: { kind: 'text', nullable: true }
    })
    const after = withOrders({
      status: { kind: 'string', length: 128, nullable: false, default: "'pending'" },
      note: { kind: 'string', length: 10, nullable: true },
      quantity: { kind: 'double', nullable: true },
      label: { kind: 'integer', nullable: true }
    })
    const [, source] = await roundTrip([
      ['create', before],
      ['types', after]
    ])
    const { up } = sections(source)
    // A wider varchar needs no warning; the old default is dropped and set again around the change.
    assert.match(
      up,
      /alter column "status" drop default`\)\n\s+await knex\.raw\(`alter table "orders" alter column "status" type varchar\(128\)`\)\n\s+await knex\.raw\(`alter table "orders" alter column "status" set default 'pending'`\)/
    )
    assert.match(
      up,
      /orders\.note: string\(100\) -> string\(10\)\. Fails if a value is longer; nothing is truncated\./
    )
    assert.match(up, /alter column "note" type varchar\(10\)`/)
    assert.doesNotMatch(up, /varchar\(\d+\) using/)
    assert.match(up, /alter column "quantity" type double precision using "quantity"::double precision`/)
    assert.match(up, /orders\.label: text -> integer\. Fails if a value does not convert/)
  })

  it('changes nullability, filling nulls from the default', async () => {
    const before = withOrders({
      note: { kind: 'text', nullable: true },
      status: { kind: 'string', length: 64, nullable: true, default: "'pending'" },
      priority: { kind: 'integer', nullable: false }
    })
    const after = withOrders({
      note: { kind: 'text', nullable: false },
      status: { kind: 'string', length: 64, nullable: false, default: "'pending'" },
      priority: { kind: 'integer', nullable: true }
    })
    const [, source] = await roundTrip([
      ['create', before],
      ['nullability', after]
    ])
    const { up, down } = sections(source)
    assert.match(
      up,
      /\/\/ Fails if orders\.note has nulls: fill them first\.\n\s+await knex\.raw\(`alter table "orders" alter column "note" set not null`\)/
    )
    assert.match(
      up,
      /await knex\.raw\(`update "orders" set "status" = default where "status" is null`\)\n\s+await knex\.raw\(`alter table "orders" alter column "status" set not null`\)/
    )
    assert.doesNotMatch(up, /Fails if orders\.status/)
    assert.match(up, /alter column "priority" drop not null/)
    assert.match(down, /alter column "note" drop not null/)
    assert.match(down, /Fails if orders\.priority has nulls/)
  })

  it('sets and drops defaults', async () => {
    const after = withOrders({
      status: { kind: 'string', length: 64, nullable: false },
      note: { kind: 'text', nullable: true, default: "'it''s'" }
    })
    const [, source] = await roundTrip([
      ['create', base],
      ['defaults', after]
    ])
    const { up, down } = sections(source)
    assert.match(up, /alter column "status" drop default`/)
    assert.match(up, /alter column "note" set default 'it''s'`/)
    assert.match(down, /alter column "status" set default 'pending'`/)
    assert.match(down, /alter column "note" drop default`/)
  })

  it('adds and drops indexes and unique constraints with knex names', async () => {
    const after = withOrders({
      userId: { ...orders.columns.userId, index: false },
      status: { ...orders.columns.status, index: true },
      note: { kind: 'text', nullable: true, unique: true }
    })
    const steps = new MigrationSteps(db.knex)
    try {
      await steps.step(base, 'create')
      assert.ok((await constraintNames(db.knex, 'orders')).includes('orders_userid_index'))
      const source = await steps.step(after, 'indexes')
      assert.deepEqual(await introspect(db.knex), expected(after))
      const names = await constraintNames(db.knex, 'orders')
      assert.ok(names.includes('orders_status_index') && names.includes('orders_note_unique'), names.join())
      assert.ok(!names.includes('orders_userid_index'))
      const { up, down } = sections(source)
      assert.match(up, /table\.dropIndex\(\['userId'\]\)/)
      assert.match(up, /\/\/ Fails if orders\.note has duplicates\.\n\s+table\.unique\(\['note'\]\)/)
      assert.match(up, /table\.index\(\['status'\]\)/)
      assert.match(down, /table\.dropUnique\(\['note'\]\)/)
      await steps.rollback()
      assert.deepEqual(await introspect(db.knex), expected(base))
      await steps.rollback()
    } finally {
      generated.push(...steps.sources)
      steps.remove()
    }
  })

  it('adds, changes and drops foreign keys with their onDelete', async () => {
    const products = table('products', { id, name: { kind: 'string', length: 100, nullable: false } })
    const start = schema(
      users,
      products,
      table('orders', { ...orders.columns, productId: { kind: 'integer', nullable: true } })
    )
    const linked = structuredClone(start)
    linked.orders.columns.productId.references = ref('products', 'set null')
    linked.orders.columns.userId.references = ref('users', 'restrict')
    const unlinked = structuredClone(linked)
    delete unlinked.orders.columns.userId.references
    const [, link, unlink] = await roundTrip([
      ['create', start],
      ['link', linked],
      ['unlink', unlinked]
    ])
    const up = sections(link).up
    assert.match(up, /alterTable\('orders', \(table\) => \{\n\s+table\.dropForeign\(\['userId'\]\)\n\s+\}\)/)
    assert.match(
      up,
      /table\.foreign\('productId'\)\.references\('id'\)\.inTable\('products'\)\.onDelete\('SET NULL'\)/
    )
    assert.match(
      up,
      /table\.foreign\('userId'\)\.references\('id'\)\.inTable\('users'\)\.onDelete\('RESTRICT'\)/
    )
    assert.match(up, /Fails if orders\.productId holds values missing from products\./)
    assert.match(sections(unlink).up, /table\.dropForeign\(\['userId'\]\)/)
  })

  it('refuses primary key changes and references to undeclared tables', () => {
    const noId = withOrders({ id: undefined })
    assert.throws(() => diffSchemas(base, noId, 'x'), /primary key column orders\.id/)
    const stringId = withOrders({ id: { kind: 'string', length: 36, nullable: false, primary: true } })
    assert.throws(() => diffSchemas(base, stringId, 'x'), /primary key column orders\.id/)
    assert.throws(
      () => diffSchemas(base, schema(orders), 'x'),
      /orders\.userId references users\.id, which is not declared/
    )
  })

  it('quotes names and defaults safely', async () => {
    const odd = table("it's", {
      id,
      'say "hi"': { kind: 'string', length: 10, nullable: true, default: "'a`${b}\\'" }
    })
    const changed = table("it's", { id, 'say "hi"': { kind: 'text', nullable: true, default: "'a`${b}\\'" } })
    const [create, alter] = await roundTrip([
      ['odd', schema(odd)],
      ['odd-text', schema(changed)]
    ])
    assert.match(create, /createTable\("it's", \(table\) => \{/)
    assert.match(create, /table\.string\('say "hi"', 10\)\.defaultTo\(knex\.raw\("'a`\$\{b\}\\\\'"\)\)/)
    assert.match(alter, /`alter table "it's" alter column "say ""hi""" type text`/)
    assert.match(alter, /set default 'a\\`\\\$\{b\}\\\\'`/)
  })

  it('writes Prettier-formatted TypeScript that type-checks under strict', async () => {
    assert.ok(generated.length >= 15, `only ${generated.length} sources`)
    const options = (await prettier.resolveConfig(path.resolve('migrations/x.ts'))) ?? {}
    for (const source of generated) {
      assert.equal(await prettier.format(source, { ...options, filepath: 'migration.ts' }), source)
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migration-types-'))
    try {
      const files = generated.map((source, index) => {
        const file = path.join(dir, `m${index}.ts`)
        fs.writeFileSync(file, source)
        return file
      })
      const program = ts.createProgram(files, {
        strict: true,
        noEmit: true,
        noUnusedLocals: true,
        skipLibCheck: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.CommonJS,
        moduleResolution: ts.ModuleResolutionKind.Node10,
        types: [],
        // The files live outside the project: resolve knex from it.
        baseUrl: process.cwd(),
        paths: { knex: ['node_modules/knex'] }
      })
      const problems = ts
        .getPreEmitDiagnostics(program)
        .map((d) => `${d.file?.fileName}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)
      assert.deepEqual(problems, [])
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

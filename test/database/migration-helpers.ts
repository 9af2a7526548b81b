import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import knexFactory, { type Knex } from 'knex'
import { connectDatabase, MEMORY } from '../../src/database/connect'
import { runMigrations, rollbackMigrations } from '../../src/database/migrate'
import { diffSchemas } from '../../src/engine/migrations/migration-diff'
import { canonicalSchema } from '../../src/engine/migrations/migration-snapshot'
import type { ColumnModel, SchemaModel } from '../../src/engine/migrations/table-model'

// Shared by the migration tests: a database of their own (in-memory PGlite, or a fresh schema on the
// PostgreSQL of DATABASE_URL), a temporary migrations folder, and a reader that turns the database's
// catalog back into a SchemaModel so tests can compare it with what was declared.

export interface TestDatabase {
  knex: Knex
  kind: 'postgres' | 'pglite'
  close: () => Promise<void>
}

export const openTestDatabase = async (): Promise<TestDatabase> => {
  const url = process.env.DATABASE_URL
  if (!url) return connectDatabase({ dataDir: MEMORY, acquireConnectionTimeout: 5000 })
  // knex's migrator and schema builder work unqualified, so a search_path isolates this file's tables.
  const schema = `mig_${randomBytes(4).toString('hex')}`
  const admin = knexFactory({ client: 'pg', connection: url })
  await admin.raw(`create schema ${schema}`)
  const scoped = new URL(url)
  scoped.searchParams.set('options', `-c search_path=${schema}`)
  const db = await connectDatabase({
    url: scoped.toString(),
    dataDir: MEMORY,
    acquireConnectionTimeout: 5000
  })
  return {
    ...db,
    close: async () => {
      await db.close()
      await admin.raw(`drop schema ${schema} cascade`)
      await admin.destroy()
    }
  }
}

/** Drops every table of the current schema (knex's bookkeeping too), so a failed test leaves nothing behind. */
export const resetDatabase = async (knex: Knex) => {
  const { rows } = await knex.raw(`select tablename from pg_tables where schemaname = current_schema()`)
  for (const { tablename } of rows) await knex.raw('drop table if exists ?? cascade', [tablename])
}

/** A temporary migrations folder; each `step` diffs the last model against the next and applies it. */
export class MigrationSteps {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'))
  readonly files: string[] = []
  readonly sources: string[] = []
  current: SchemaModel = {}

  constructor(private readonly knex: Knex) {}

  /** Writes the migration from the current model to `next` (throws if there is no change). */
  write(next: SchemaModel, name: string) {
    const source = diffSchemas(this.current, next, name)
    if (source === null) throw new Error(`no change for ${name}`)
    const file = `${String(this.files.length + 1).padStart(3, '0')}_${name}.ts`
    fs.writeFileSync(path.join(this.dir, file), source)
    this.files.push(file)
    this.sources.push(source)
    return source
  }

  /** Writes and applies the migration to `next`; returns its source. A migration that fails is removed again. */
  async step(next: SchemaModel, name: string) {
    const source = this.write(next, name)
    try {
      await runMigrations(this.knex, this.dir)
    } catch (error) {
      fs.rmSync(path.join(this.dir, this.files.pop()!))
      this.sources.pop()
      throw error
    }
    this.current = next
    return source
  }

  async rollback() {
    return rollbackMigrations(this.knex, this.dir)
  }

  remove() {
    fs.rmSync(this.dir, { recursive: true, force: true })
  }
}

const kinds: Record<string, ColumnModel['kind']> = {
  'character varying': 'string',
  text: 'text',
  integer: 'integer',
  'double precision': 'double',
  boolean: 'boolean',
  'timestamp with time zone': 'timestamptz',
  jsonb: 'jsonb'
}

const onDeletes: Record<string, string> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null' }

/** PostgreSQL prints defaults with casts: `'draft'::character varying` is the declared `'draft'`. */
const declaredDefault = (printed: string) =>
  printed
    .replace(/^('(?:[^']|'')*')::(character varying|text)$/s, '$1')
    .replace(/^'(-?[\d.]+)'::\w+( \w+)?$/, '$1')

/**
 * Tables no declaration describes, made by hand in migrations: the event machinery (outbox, consumers' marks,
 * leases) and the simulated payment provider's ledger. The snapshot of the declarations does not hold them.
 */
export const UNDECLARED_TABLES = [
  'outbox_events',
  'consumed_events',
  'worker_leases',
  'simulated_provider_charges'
]
const undeclared = `(${UNDECLARED_TABLES.map((name) => `'${name}'`).join(', ')})`

/**
 * The tables of the current schema (knex's own and the undeclared ones left out) as a SchemaModel, for
 * deepEqual against a model.
 */
export const introspect = async (knex: Knex): Promise<SchemaModel> => {
  const schema: SchemaModel = {}
  const { rows: columns } = await knex.raw(`
    select c.table_name, c.column_name, c.data_type, c.character_maximum_length, c.is_nullable, c.column_default
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = current_schema() and t.table_type = 'BASE TABLE' and c.table_name not like 'knex\\_%'
      and c.table_name not in ${undeclared}
    order by c.table_name, c.ordinal_position`)
  for (const row of columns) {
    const table = (schema[row.table_name] ??= { name: row.table_name, columns: {} })
    const serial = row.data_type === 'integer' && /^nextval\(/.test(row.column_default ?? '')
    table.columns[row.column_name] = serial
      ? { kind: 'increments', nullable: false }
      : {
          kind: kinds[row.data_type] ?? row.data_type,
          ...(row.character_maximum_length !== null && { length: row.character_maximum_length }),
          nullable: row.is_nullable === 'YES',
          ...(row.column_default !== null && { default: declaredDefault(row.column_default) })
        }
  }
  const { rows: constraints } = await knex.raw(`
    select rel.relname as table, con.contype, a.attname as column, cardinality(con.conkey) as width,
      target.relname as target_table, ta.attname as target_column, con.confdeltype
    from pg_constraint con
    join pg_class rel on rel.oid = con.conrelid
    join pg_attribute a on a.attrelid = rel.oid and a.attnum = con.conkey[1]
    left join pg_class target on target.oid = con.confrelid
    left join pg_attribute ta on ta.attrelid = con.confrelid and ta.attnum = con.confkey[1]
    where rel.relnamespace = current_schema()::text::regnamespace and rel.relname not like 'knex\\_%'
      and rel.relname not in ${undeclared}
      and con.contype in ('p', 'u', 'f')`)
  for (const row of constraints) {
    if (row.width !== 1) throw new Error(`unexpected constraint over ${row.width} columns on ${row.table}`)
    const column = schema[row.table].columns[row.column]
    if (row.contype === 'p') column.primary = true
    if (row.contype === 'u') column.unique = true
    if (row.contype === 'f') {
      column.references = {
        table: row.target_table,
        column: row.target_column,
        onDelete: onDeletes[row.confdeltype]
      }
    }
  }
  // Plain indexes: those not backing a primary key or unique constraint.
  const { rows: indexes } = await knex.raw(`
    select t.relname as table, a.attname as column, i.indnatts as width
    from pg_index i
    join pg_class t on t.oid = i.indrelid
    join pg_attribute a on a.attrelid = t.oid and a.attnum = i.indkey[0]
    where t.relnamespace = current_schema()::text::regnamespace and t.relname not like 'knex\\_%'
      and t.relname not in ${undeclared}
      and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid and c.conrelid = t.oid)`)
  for (const row of indexes) {
    if (row.width !== 1) throw new Error(`unexpected index over ${row.width} columns on ${row.table}`)
    schema[row.table].columns[row.column].index = true
  }
  return canonicalSchema(schema)
}

/** A model as introspect() reports it: serial primary keys carry no default, false flags are absent. */
export const expected = (schema: SchemaModel): SchemaModel => canonicalSchema(schema)

/** Names of the indexes and constraints on a table, to check knex's naming. */
export const constraintNames = async (knex: Knex, table: string): Promise<string[]> => {
  const { rows } = await knex.raw(
    `select conname as name from pg_constraint where conrelid = ?::regclass and contype <> 'n'
     union select indexname from pg_indexes where schemaname = current_schema() and tablename = ?
     order by 1`,
    [table, table]
  )
  return rows.map((row: { name: string }) => row.name)
}

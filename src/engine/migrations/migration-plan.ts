import type { ColumnModel, SchemaModel, TableModel } from './table-model'

// Compares two schema models and lists the database operations that turn one into the other, in an order
// PostgreSQL accepts. Rendering them as knex code is migration-code.ts's job.

export type References = NonNullable<ColumnModel['references']>

/**
 * Where an operation runs: `before` drops constraints that stand in the way, `tables` drops and creates
 * tables, `alter` changes the columns of kept tables, `after` adds foreign keys that close a cycle.
 */
export type OpGroup = 'before' | 'tables' | 'alter' | 'after'

type ColumnOp =
  | { op: 'dropForeign' | 'dropUnique' | 'dropIndex' | 'addUnique' | 'addIndex'; column: string }
  | { op: 'dropColumn' | 'dropDefault' | 'dropNotNull' | 'backfill'; column: string }
  | { op: 'addColumn'; column: string; model: ColumnModel; restoredNullable?: boolean }
  | { op: 'alterType'; column: string; from: ColumnModel; to: ColumnModel }
  | { op: 'setDefault'; column: string; value: string }
  | { op: 'setNotNull'; column: string; backfilled: boolean }
  | { op: 'addForeign'; column: string; references: References }

export type MigrationOp = { table: string; group: OpGroup } & (
  { op: 'dropTable' } | { op: 'createTable'; model: TableModel; deferredForeign: string[] } | ColumnOp
)

export interface PlanOptions {
  /**
   * For `down`: re-adding a required column without a default (one that `up` dropped) cannot refill the
   * dropped values, so it comes back nullable instead of being refused.
   */
  lenient?: boolean
}

export class MigrationRefused extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'MigrationRefused'
  }
}

export const describeType = (column: ColumnModel) =>
  column.kind === 'string' ? `string(${column.length})` : column.kind

const sameType = (a: ColumnModel, b: ColumnModel) => a.kind === b.kind && a.length === b.length

const sameReferences = (a?: References, b?: References) =>
  a === b || (!!a && !!b && a.table === b.table && a.column === b.column && a.onDelete === b.onDelete)

const isPrimary = (column?: ColumnModel) => !!column && (!!column.primary || column.kind === 'increments')

/** Compares what the database holds; absent and false flags are the same thing. */
const sameColumn = (a: ColumnModel, b: ColumnModel) =>
  sameType(a, b) &&
  a.nullable === b.nullable &&
  !!a.primary === !!b.primary &&
  a.default === b.default &&
  !!a.unique === !!b.unique &&
  !!a.index === !!b.index &&
  sameReferences(a.references, b.references)

/** A foreign key is dropped and re-added when its target changes or its column changes type. */
const foreignKeyChanges = (before: ColumnModel, after?: ColumnModel) =>
  !after || !sameReferences(before.references, after.references) || !sameType(before, after)

const checkReferences = (schema: SchemaModel) => {
  for (const [table, model] of Object.entries(schema)) {
    for (const [column, { references }] of Object.entries(model.columns)) {
      if (references && !schema[references.table]?.columns[references.column]) {
        throw new MigrationRefused(
          `${table}.${column} references ${references.table}.${references.column}, which is not declared`
        )
      }
    }
  }
}

/**
 * Orders tables so that every foreign-key target comes before the tables referencing it (self references
 * are fine). A cycle is broken by creating one table without its foreign keys into the cycle: those come
 * back as `deferred` [table, column] pairs, to be added once every table exists.
 */
export const dependencyOrder = (schema: SchemaModel, tables: string[]) => {
  const pending = new Set([...tables].sort())
  const order: string[] = []
  const deferred: Array<[string, string]> = []
  const targets = (table: string) =>
    Object.entries(schema[table].columns).flatMap(([column, { references }]) =>
      references && references.table !== table && pending.has(references.table)
        ? [[column, references.table]]
        : []
    )
  while (pending.size > 0) {
    const table = [...pending].find((candidate) => targets(candidate).length === 0) ?? [...pending][0]
    for (const [column] of targets(table)) deferred.push([table, column])
    pending.delete(table)
    order.push(table)
  }
  return { order, deferred }
}

const refusePrimaryChange = (table: string, column: string, before?: ColumnModel, after?: ColumnModel) => {
  if (!isPrimary(before) && !isPrimary(after)) return
  if (before && after && sameColumn(before, after)) return
  throw new MigrationRefused(
    `Cannot change the primary key column ${table}.${column}: migrate:make does not rewrite primary keys. ` +
      'Write that migration by hand.'
  )
}

/** The operations on one kept table, in the order they must run. */
const alterTable = (table: string, before: TableModel, after: TableModel, options: PlanOptions) => {
  const ops: MigrationOp[] = []
  const push = (op: ColumnOp) => ops.push({ table, group: 'alter', ...op })
  const kept = Object.keys(after.columns).filter((column) => before.columns[column])

  for (const [column, model] of Object.entries(after.columns)) {
    if (before.columns[column]) continue
    refusePrimaryChange(table, column, undefined, model)
    const impossible = !model.nullable && model.default === undefined
    if (impossible && !options.lenient) {
      throw new MigrationRefused(
        `Cannot add the required column ${table}.${column} without a default: existing rows would have no ` +
          'value for it. Declare a default for it, or make it optional.'
      )
    }
    push({
      op: 'addColumn',
      column,
      ...(impossible ? { model: { ...model, nullable: true }, restoredNullable: true } : { model })
    })
  }
  for (const column of Object.keys(before.columns)) {
    if (after.columns[column]) continue
    refusePrimaryChange(table, column, before.columns[column], undefined)
    push({ op: 'dropColumn', column })
  }
  for (const column of kept) {
    const [from, to] = [before.columns[column], after.columns[column]]
    refusePrimaryChange(table, column, from, to)
    if (!sameType(from, to)) {
      // Drop the old default first: it may not convert to the new type.
      if (from.default !== undefined) push({ op: 'dropDefault', column })
      push({ op: 'alterType', column, from, to })
      if (to.default !== undefined) push({ op: 'setDefault', column, value: to.default })
    } else if (from.default !== to.default) {
      push(
        to.default === undefined
          ? { op: 'dropDefault', column }
          : { op: 'setDefault', column, value: to.default }
      )
    }
    if (!from.nullable && to.nullable) push({ op: 'dropNotNull', column })
    if (from.nullable && !to.nullable) {
      if (to.default !== undefined) push({ op: 'backfill', column })
      push({ op: 'setNotNull', column, backfilled: to.default !== undefined })
    }
  }
  for (const column of kept) {
    const [from, to] = [before.columns[column], after.columns[column]]
    if (to.unique && !from.unique) push({ op: 'addUnique', column })
    if (to.index && !from.index) push({ op: 'addIndex', column })
    if (to.references && foreignKeyChanges(from, to))
      push({ op: 'addForeign', column, references: to.references })
  }
  return ops
}

/** Everything that turns `before` into `after`; empty when they hold the same database shape. */
export const planMigration = (before: SchemaModel, after: SchemaModel, options: PlanOptions = {}) => {
  checkReferences(after)
  const names = (schema: SchemaModel) => Object.keys(schema).sort()
  const dropped = names(before).filter((table) => !after[table])
  const created = names(after).filter((table) => !before[table])
  const kept = names(after).filter((table) => before[table])
  const ops: MigrationOp[] = []

  // Constraints that would block dropping a table or changing a column type go first.
  for (const table of kept) {
    const [from, to] = [before[table].columns, after[table].columns]
    for (const [column, model] of Object.entries(from)) {
      if (model.references && foreignKeyChanges(model, to[column]))
        ops.push({ table, group: 'before', op: 'dropForeign', column })
      if (!to[column]) continue
      if (model.unique && !to[column].unique) ops.push({ table, group: 'before', op: 'dropUnique', column })
      if (model.index && !to[column].index) ops.push({ table, group: 'before', op: 'dropIndex', column })
    }
  }

  const drops = dependencyOrder(before, dropped)
  for (const [table, column] of drops.deferred)
    ops.push({ table, group: 'before', op: 'dropForeign', column })
  for (const table of drops.order.reverse()) ops.push({ table, group: 'tables', op: 'dropTable' })

  const creates = dependencyOrder(after, created)
  for (const table of creates.order) {
    const deferredForeign = creates.deferred.filter(([from]) => from === table).map(([, column]) => column)
    ops.push({ table, group: 'tables', op: 'createTable', model: after[table], deferredForeign })
  }

  for (const table of kept) ops.push(...alterTable(table, before[table], after[table], options))

  for (const [table, column] of creates.deferred) {
    const { references } = after[table].columns[column]
    ops.push({ table, group: 'after', op: 'addForeign', column, references: references! })
  }
  return ops
}

/** One line per operation, for the CLI and the snapshot freshness check. */
export const describeOp = (op: MigrationOp): string => {
  switch (op.op) {
    case 'createTable':
      return `create table ${op.table}`
    case 'dropTable':
      return `drop table ${op.table}`
    case 'addColumn':
      return `add column ${op.table}.${op.column} ${describeType(op.model)}${op.restoredNullable ? ' (nullable)' : ''}`
    case 'dropColumn':
      return `drop column ${op.table}.${op.column}`
    case 'alterType':
      return `change type of ${op.table}.${op.column}: ${describeType(op.from)} -> ${describeType(op.to)}`
    case 'setDefault':
      return `set default of ${op.table}.${op.column} to ${op.value}`
    case 'dropDefault':
      return `drop default of ${op.table}.${op.column}`
    case 'dropNotNull':
      return `make ${op.table}.${op.column} optional`
    case 'backfill':
      return `fill nulls in ${op.table}.${op.column} with its default`
    case 'setNotNull':
      return `make ${op.table}.${op.column} required`
    case 'addUnique':
      return `add unique on ${op.table}.${op.column}`
    case 'dropUnique':
      return `drop unique on ${op.table}.${op.column}`
    case 'addIndex':
      return `add index on ${op.table}.${op.column}`
    case 'dropIndex':
      return `drop index on ${op.table}.${op.column}`
    case 'addForeign':
      return (
        `add foreign key ${op.table}.${op.column} -> ${op.references.table}.${op.references.column}` +
        ` on delete ${op.references.onDelete}`
      )
    case 'dropForeign':
      return `drop foreign key ${op.table}.${op.column}`
  }
}

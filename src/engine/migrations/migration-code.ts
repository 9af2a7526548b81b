import type { ColumnModel } from './table-model'
import { describeType, type MigrationOp, type References } from './migration-plan'

// Renders migration operations as the TypeScript of a knex migration, formatted the way Prettier would
// (no semicolons, single quotes, width 110) because the file is committed and reviewed like code.
// Tables, columns, indexes and constraints use knex's schema builder (and its constraint names); column
// changes are plain SQL, because knex's `.alter()` restates the whole column and casts values with a
// USING clause that silently truncates strings.

const WIDTH = 110

/** A string literal as Prettier prints it: single quotes unless the text holds more of them. */
export const quote = (text: string) => {
  const singles = text.split("'").length
  const doubles = text.split('"').length
  const mark = singles > doubles ? '"' : "'"
  const escaped = [...text].map((char) => {
    if (char === '\\' || char === mark) return `\\${char}`
    if (char === '\n') return '\\n'
    if (char < ' ') return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`
    return char
  })
  return `${mark}${escaped.join('')}${mark}`
}

const templateLiteral = (text: string) => '`' + text.replace(/[\\`]/g, '\\$&').replace(/\$\{/g, '\\${') + '`'

const identifier = (name: string) => `"${name.replace(/"/g, '""')}"`

const sqlType = (column: ColumnModel) =>
  ({
    increments: 'serial',
    string: `varchar(${column.length})`,
    text: 'text',
    integer: 'integer',
    double: 'double precision',
    boolean: 'boolean',
    timestamptz: 'timestamptz',
    jsonb: 'jsonb'
  })[column.kind]

/** A chain of calls on one line, or (as Prettier breaks it) one call per line when too long. */
const chain = (indent: string, head: string, calls: string[]) => {
  const oneLine = `${indent}${head}${calls.join('')}`
  if (oneLine.length <= WIDTH || calls.length < 3) return [oneLine]
  return [`${indent}${head}`, ...calls.map((call) => `${indent}  ${call}`)]
}

const typeCall = (name: string, column: ColumnModel) => {
  switch (column.kind) {
    case 'string':
      return `.string(${quote(name)}, ${column.length})`
    case 'timestamptz':
      return `.timestamp(${quote(name)}, { useTz: true })`
    default:
      return `.${column.kind}(${quote(name)})`
  }
}

const foreignCalls = (references: References) => [
  `.references(${quote(references.column)})`,
  `.inTable(${quote(references.table)})`,
  `.onDelete(${quote(references.onDelete.toUpperCase())})`
]

/** The column builder chain of a new column, with its constraints unless they are added later. */
const columnLines = (indent: string, name: string, column: ColumnModel, withForeign = true) => {
  const calls = [typeCall(name, column)]
  if (column.primary && column.kind !== 'increments') calls.push('.primary()')
  if (!column.nullable && column.kind !== 'increments') calls.push('.notNullable()')
  if (column.default !== undefined) calls.push(`.defaultTo(knex.raw(${quote(column.default)}))`)
  if (column.unique) calls.push('.unique()')
  if (column.index) calls.push('.index()')
  if (column.references && withForeign) calls.push(...foreignCalls(column.references))
  return chain(indent, 'table', calls)
}

/** `await knex.raw(…)` in a function body; Prettier moves a template literal too long for one line down. */
const raw = (sql: string) => {
  const literal = templateLiteral(sql)
  const line = `await knex.raw(${literal})`
  return `  ${line}`.length <= WIDTH ? [line] : ['await knex.raw(', `  ${literal}`, ')']
}
const alterColumn = (op: { table: string; column: string }, action: string) =>
  raw(`alter table ${identifier(op.table)} alter column ${identifier(op.column)} ${action}`)

/** Casts that keep every value as it is; anything else deserves a word in the review. */
const lossless = (from: ColumnModel, to: ColumnModel) =>
  to.kind === 'text' ||
  (from.kind === 'string' && to.kind === 'string' && to.length! >= from.length!) ||
  (from.kind === 'integer' && to.kind === 'double')

const typeChange = (op: Extract<MigrationOp, { op: 'alterType' }>) => {
  const { from, to } = op
  const change = `${op.table}.${op.column}: ${describeType(from)} -> ${describeType(to)}`
  // Text targets take no USING cast: an explicit cast to varchar truncates long values, an assignment errors.
  const text = to.kind === 'string' || to.kind === 'text'
  const using = text ? '' : ` using ${identifier(op.column)}::${sqlType(to)}`
  const note = lossless(from, to)
    ? []
    : to.kind === 'string'
      ? [`// ${change}. Fails if a value is longer; nothing is truncated.`]
      : [`// ${change}. Fails if a value does not convert; check the cast keeps your values.`]
  return [...note, ...alterColumn(op, `type ${sqlType(to)}${using}`)]
}

/** Lines of one operation that runs inside `knex.schema.alterTable(table, (table) => { … })`. */
const tableStatement = (op: MigrationOp): string[] => {
  const indent = '    '
  const columns = 'column' in op ? `[${quote(op.column)}]` : ''
  switch (op.op) {
    case 'addColumn': {
      const lines = columnLines(indent, op.column, op.model)
      if (!op.restoredNullable) return lines
      return [`${indent}// The dropped values cannot come back: the column returns nullable.`, ...lines]
    }
    case 'dropColumn':
      return [`${indent}table.dropColumn(${quote(op.column)})`]
    case 'dropForeign':
    case 'dropUnique':
    case 'dropIndex':
      return [`${indent}table.${op.op}(${columns})`]
    case 'addUnique':
      return [
        `${indent}// Fails if ${op.table}.${op.column} has duplicates.`,
        `${indent}table.unique(${columns})`
      ]
    case 'addIndex':
      return [`${indent}table.index(${columns})`]
    case 'addForeign': {
      // A key closing a cycle between new tables meets no rows; one on a kept table may.
      const note = `${indent}// Fails if ${op.table}.${op.column} holds values missing from ${op.references.table}.`
      return [
        ...(op.group === 'alter' ? [note] : []),
        ...chain(indent, 'table', [`.foreign(${quote(op.column)})`, ...foreignCalls(op.references)])
      ]
    }
    default:
      throw new Error(`${op.op} is not a table statement`)
  }
}

/** Lines of one operation that is a statement of its own, indented for a function body. */
const statement = (op: MigrationOp): string[] => {
  const q = identifier
  const body = (...lines: Array<string | string[]>) => lines.flat().map((line) => `  ${line}`)
  switch (op.op) {
    case 'createTable': {
      const columns = Object.entries(op.model.columns).flatMap(([name, column]) =>
        columnLines('    ', name, column, !op.deferredForeign.includes(name))
      )
      return [`  await knex.schema.createTable(${quote(op.table)}, (table) => {`, ...columns, '  })']
    }
    case 'dropTable':
      return body(`await knex.schema.dropTable(${quote(op.table)})`)
    case 'alterType':
      return body(typeChange(op))
    case 'setDefault':
      return body(alterColumn(op, `set default ${op.value}`))
    case 'dropDefault':
      return body(alterColumn(op, 'drop default'))
    case 'dropNotNull':
      return body(alterColumn(op, 'drop not null'))
    case 'backfill':
      return body(
        `// ${op.table}.${op.column} becomes required: rows without a value get its default.`,
        raw(`update ${q(op.table)} set ${q(op.column)} = default where ${q(op.column)} is null`)
      )
    case 'setNotNull':
      return body(
        op.backfilled ? [] : [`// Fails if ${op.table}.${op.column} has nulls: fill them first.`],
        alterColumn(op, 'set not null')
      )
    default:
      throw new Error(`${op.op} is not a statement`)
  }
}

// Operations that knex's table builder expresses (inside `alterTable`); the rest are statements of their own.
const tableStatements = new Set<MigrationOp['op']>([
  'addColumn',
  'dropColumn',
  'addUnique',
  'dropUnique',
  'addIndex',
  'dropIndex',
  'addForeign',
  'dropForeign'
])
const isTableStatement = (op: MigrationOp) => tableStatements.has(op.op)

/**
 * Operations with the same key in a row share a block: one `alterTable` call per table and group, one
 * paragraph of plain SQL per table, one paragraph of dropped tables; a created table is a block of its own.
 */
const blockKey = (op: MigrationOp) => {
  if (isTableStatement(op)) return `alterTable:${op.table}:${op.group}`
  if (op.op === 'createTable') return undefined
  if (op.op === 'dropTable') return 'dropTable'
  return `sql:${op.table}`
}

/**
 * The body of `up` or `down`. Within one `alterTable` call the plan lists statements in the order knex runs
 * them there (added columns first, then the rest as written), so the code reads in execution order.
 */
export const renderBody = (ops: MigrationOp[]): string[] => {
  const blocks: Array<{ key?: string; alterTable?: string; lines: string[] }> = []
  for (const op of ops) {
    const key = blockKey(op)
    const alterTable = isTableStatement(op) ? op.table : undefined
    let block = blocks.at(-1)
    if (!block || !key || block.key !== key) blocks.push((block = { key, alterTable, lines: [] }))
    block.lines.push(...(alterTable ? tableStatement(op) : statement(op)))
  }
  return blocks.flatMap((block, index) => [
    ...(index > 0 ? [''] : []),
    ...(block.alterTable
      ? [`  await knex.schema.alterTable(${quote(block.alterTable)}, (table) => {`, ...block.lines, '  })']
      : block.lines)
  ])
}

/** The whole migration file. */
export const renderMigration = (name: string, up: MigrationOp[], down: MigrationOp[]) =>
  [
    "import type { Knex } from 'knex'",
    '',
    `// ${name}: generated by \`npm run migrate:make\` from src/contexts. Review it like code.`,
    '',
    'export async function up(knex: Knex): Promise<void> {',
    ...renderBody(up),
    '}',
    '',
    'export async function down(knex: Knex): Promise<void> {',
    ...renderBody(down),
    '}',
    ''
  ].join('\n')

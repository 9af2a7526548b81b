import { tableName, type ResourceDeclaration } from '../declarations/declaration'
import { fieldTypes, type ColumnSpec } from '../declarations/field-types'

/** One column as the database should have it; compared by the migration diff. */
export interface ColumnModel extends ColumnSpec {
  nullable: boolean
  primary?: boolean
  /** SQL default expression, e.g. `now()`, `'draft'`, `1`, `'["customer"]'::jsonb`. */
  default?: string
  unique?: boolean
  index?: boolean
  references?: { table: string; column: string; onDelete: string }
}

export interface TableModel {
  name: string
  columns: Record<string, ColumnModel>
}

/** Tables keyed by name: what `migrations/snapshot.json` stores. */
export type SchemaModel = Record<string, TableModel>

const sqlLiteral = (value: unknown, kind: ColumnSpec['kind']): string => {
  if (kind === 'jsonb') return `'${JSON.stringify(value).replace(/'/g, "''")}'::jsonb`
  if (typeof value === 'string') return `'${value.replace(/'/g, "''")}'`
  return String(value)
}

export const tableModel = (resource: ResourceDeclaration): TableModel => {
  const columns: Record<string, ColumnModel> = {}
  for (const [name, field] of Object.entries(resource.fields)) {
    if (field.virtual) continue
    const type = fieldTypes[field.type]
    const spec = type.column(field)
    const column: ColumnModel = { ...spec, nullable: Boolean(field.optional) }
    if (field.type === 'id') Object.assign(column, { primary: true, nullable: false })
    if (type.managed && field.type !== 'id') column.nullable = false
    if (field.default !== undefined) column.default = sqlLiteral(field.default, spec.kind)
    else if (type.columnDefault !== undefined) column.default = type.columnDefault
    if (field.unique) column.unique = true
    if (field.index) column.index = true
    if (field.type === 'ref') {
      column.references = {
        table: tableName(field.to!),
        column: 'id',
        onDelete: field.onDelete ?? 'restrict'
      }
    }
    columns[name] = column
  }
  if (resource.softDelete) columns.deletedAt = { kind: 'timestamptz', nullable: true, index: true }
  return { name: resource.table, columns }
}

export const schemaModel = (resources: ResourceDeclaration[]): SchemaModel =>
  Object.fromEntries(resources.map((resource) => [resource.table, tableModel(resource)]))

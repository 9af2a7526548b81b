import fs from 'node:fs'
import path from 'node:path'
import type { ColumnModel, SchemaModel } from './table-model'

// `migrations/snapshot.json` is the schema the committed migrations produce; migrate:make diffs the
// declarations against it. Written with a stable key order so its diffs review well.

export const SNAPSHOT_FILE = 'snapshot.json'

export const snapshotPath = (migrationsDir: string) => path.join(migrationsDir, SNAPSHOT_FILE)

/** The snapshot, or an empty schema when there is none yet. */
export const readSnapshot = (migrationsDir: string): SchemaModel => {
  const file = snapshotPath(migrationsDir)
  if (!fs.existsSync(file)) return {}
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as SchemaModel
  } catch (error: any) {
    throw new Error(`${file} is not valid JSON (${error.message}); restore it from version control`)
  }
}

/** Keys in one order, false flags left out; columns keep their declared order (the table's column order). */
const canonicalColumn = (column: ColumnModel): ColumnModel => ({
  kind: column.kind,
  ...(column.length !== undefined && { length: column.length }),
  nullable: column.nullable,
  ...(column.primary && { primary: true }),
  ...(column.default !== undefined && { default: column.default }),
  ...(column.unique && { unique: true }),
  ...(column.index && { index: true }),
  ...(column.references && {
    references: {
      table: column.references.table,
      column: column.references.column,
      onDelete: column.references.onDelete
    }
  })
})

export const canonicalSchema = (schema: SchemaModel): SchemaModel =>
  Object.fromEntries(
    Object.keys(schema)
      .sort()
      .map((table) => [
        table,
        {
          name: schema[table].name,
          columns: Object.fromEntries(
            Object.entries(schema[table].columns).map(([name, column]) => [name, canonicalColumn(column)])
          )
        }
      ])
  )

export const writeSnapshot = (migrationsDir: string, schema: SchemaModel) =>
  fs.writeFileSync(snapshotPath(migrationsDir), `${JSON.stringify(canonicalSchema(schema), null, 2)}\n`)

import type { SchemaModel } from './table-model'
import { describeOp, planMigration } from './migration-plan'
import { renderMigration } from './migration-code'

export { MigrationRefused } from './migration-plan'

/**
 * The source of a knex migration (TypeScript) that turns the `before` schema into `after`, with a `down`
 * that turns it back; `null` when both hold the same database shape (nothing to migrate).
 * Throws MigrationRefused when the change cannot keep existing rows (e.g. a required column without a
 * default) or is beyond what is generated (primary keys); the message names table.column.
 */
export const diffSchemas = (before: SchemaModel, after: SchemaModel, name: string): string | null => {
  const up = planMigration(before, after)
  if (up.length === 0) return null
  const down = planMigration(after, before, { lenient: true })
  return renderMigration(name.replace(/\s+/g, ' '), up, down)
}

/** What a migration from `before` to `after` would do, one line per change; empty when nothing. */
export const describeChanges = (before: SchemaModel, after: SchemaModel): string[] =>
  planMigration(before, after).map(describeOp)

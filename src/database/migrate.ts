import type { Knex } from 'knex'

// Applies the knex migrations in `migrations/` (TypeScript files, loaded through tsx). Each migration runs
// in its own transaction, so a failing one leaves the database as the previous one left it.

export const MIGRATIONS_DIR = 'migrations'

const config = (directory: string): Knex.MigratorConfig => ({
  directory,
  loadExtensions: ['.ts'],
  tableName: 'knex_migrations'
})

/** Applies every pending migration; returns the names of those applied, oldest first. */
export const runMigrations = async (knex: Knex, directory = MIGRATIONS_DIR): Promise<string[]> => {
  const [, applied] = (await knex.migrate.latest(config(directory))) as [number, string[]]
  return applied
}

/** Names of the migrations not applied yet, oldest first. */
export const pendingMigrations = async (knex: Knex, directory = MIGRATIONS_DIR): Promise<string[]> => {
  const [, pending] = (await knex.migrate.list(config(directory))) as [unknown, Array<{ file: string }>]
  return pending.map(({ file }) => file)
}

/** Runs `down` of the last batch, or of every applied migration with `all`; returns the names, newest first. */
export const rollbackMigrations = async (
  knex: Knex,
  directory = MIGRATIONS_DIR,
  { all = false }: { all?: boolean } = {}
): Promise<string[]> => {
  const [, rolledBack] = (await knex.migrate.rollback(config(directory), all)) as [number, string[]]
  return rolledBack
}

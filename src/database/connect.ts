import fs from 'node:fs'
import path from 'node:path'
import knexFactory, { type Knex } from 'knex'
import lockfile from 'proper-lockfile'
import { pinPgTypes, typeParsers } from './types'

export interface DatabaseConfig {
  /** postgres://… — when set, PostgreSQL is used instead of the embedded database. */
  url?: string
  /** Folder of the embedded PGlite database; `memory://` keeps it in memory. */
  dataDir: string
  acquireConnectionTimeout: number
  /** PostgreSQL schema to work in (tests isolate themselves this way); `public` by default. */
  searchPath?: string
}

export interface Database {
  knex: Knex
  kind: 'postgres' | 'pglite'
  close: () => Promise<void>
}

export const MEMORY = 'memory://'

/** Only one process may open an embedded data directory: two would silently lose rows. */
export const lockDataDir = async (dataDir: string) => {
  fs.mkdirSync(dataDir, { recursive: true })
  try {
    return await lockfile.lock(dataDir, { stale: 10_000, update: 2_000, realpath: false })
  } catch (error: any) {
    if (error.code === 'ELOCKED') {
      throw new Error(
        `The embedded database in ${path.resolve(dataDir)} is in use by another process ` +
          '(a running server or CLI). Stop it first, or set DATABASE_URL to use PostgreSQL.'
      )
    }
    throw error
  }
}

export const connectDatabase = async (config: DatabaseConfig): Promise<Database> => {
  const { acquireConnectionTimeout } = config
  if (config.url) {
    pinPgTypes()
    const knex = knexFactory({
      client: 'pg',
      connection: config.url,
      searchPath: config.searchPath,
      acquireConnectionTimeout,
      pool: { min: 0, max: 10 }
    })
    return { knex, kind: 'postgres', close: () => knex.destroy() }
  }
  // Loaded only for the embedded database: a server on PostgreSQL never carries PGlite's code (~15 MB of RSS).
  const [{ default: ClientPgLite }, { PGlite }] = await Promise.all([
    import('knex-pglite'),
    import('@electric-sql/pglite')
  ])
  const inMemory = config.dataDir === MEMORY
  const release = inMemory ? undefined : await lockDataDir(config.dataDir)
  // The options form: `new PGlite(undefined, options)` silently ignores the options.
  const pglite = new PGlite({ dataDir: inMemory ? undefined : config.dataDir, parsers: typeParsers })
  const knex = knexFactory({
    client: ClientPgLite as unknown as typeof Knex.Client,
    dialect: 'postgres',
    connection: () => ({ pglite }) as object,
    acquireConnectionTimeout
  })
  return {
    knex,
    kind: 'pglite',
    close: async () => {
      await knex.destroy()
      if (!pglite.closed) await pglite.close()
      await release?.()
    }
  }
}

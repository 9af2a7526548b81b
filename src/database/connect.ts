import path from 'node:path'
import knexFactory, { type Knex } from 'knex'
import { pinPgTypes, typeParsers } from './types'
import { assertWritable, cannotOpen, causeOf, lockWithHolder, makeDirectories, redacted } from './open-errors'

export interface DatabaseConfig {
  /** postgres://… — when set, PostgreSQL is used instead of the embedded database. */
  url?: string
  /** Folder of the embedded PGlite database; `memory://` keeps it in memory. */
  dataDir: string
  acquireConnectionTimeout: number
  /** Longest a statement may run on PostgreSQL (statement_timeout; the client waits a little longer). */
  statementTimeoutMs?: number
  /** PostgreSQL schema to work in (tests isolate themselves this way); `public` by default. */
  searchPath?: string
}

export interface Database {
  knex: Knex
  kind: 'postgres' | 'pglite'
  close: () => Promise<void>
}

export const MEMORY = 'memory://'
export const DEFAULT_STATEMENT_TIMEOUT_MS = 15_000
const CLIENT_GRACE_MS = 1_000

// knex prints each failed connection attempt with the driver's stack; callers get the error and say it in a line.
const quietLog = {
  warn: (message: unknown) => {
    if (!/connection error/i.test(String(message))) console.warn(String(message).split('\n')[0])
  },
  error: (message: unknown) => console.error(String(message).split('\n')[0]),
  deprecate: (method: string, alternative: string) =>
    console.warn(`knex: ${method} is deprecated, use ${alternative}`),
  debug: () => {}
}

/**
 * The pool must not hand out a connection the server closed (a restart) or whose query timed out client-side
 * (pg keeps it busy): each would fail one more request after the database is back, or wait out one more
 * statement timeout while it is frozen.
 */
const discardBrokenConnections = (knex: Knex) => {
  const client = knex.client as any
  client.validateConnection = (connection: any) => !connection.__knex__disposed
  const query = client._query.bind(client)
  client._query = async (connection: any, obj: unknown) => {
    try {
      return await query(connection, obj)
    } catch (error: any) {
      if (/Query read timeout$/.test(error?.message ?? '')) {
        connection.__knex__disposed = error
        // The server stopped answering: the idle connections to it are stuck too. Each would cost the next
        // query of a request one more statement timeout; a new connection costs at most the acquire timeout.
        for (const free of client.pool?.free ?? []) free.resource.__knex__disposed = error
      }
      throw error
    }
  }
}

/** Only one process may open an embedded data directory: two would silently lose rows. */
export const lockDataDir = async (dataDir: string) => {
  try {
    makeDirectories(dataDir)
    return await lockWithHolder(dataDir)
  } catch (error: any) {
    if (error.code === 'ELOCKED') {
      throw new Error(
        `The embedded database in ${path.resolve(dataDir)} is in use by another process ` +
          '(a running server or CLI). Stop it first, or set DATABASE_URL to use PostgreSQL.'
      )
    }
    throw cannotOpen(dataDir, error)
  }
}

export const connectDatabase = async (config: DatabaseConfig): Promise<Database> => {
  if (config.url) return connectPostgres(config)
  return connectEmbedded(config)
}

/** PostgreSQL, every wait bounded: connecting, the pool, and each statement (server and client side). */
const connectPostgres = async (config: DatabaseConfig): Promise<Database> => {
  const { acquireConnectionTimeout, statementTimeoutMs = DEFAULT_STATEMENT_TIMEOUT_MS } = config
  pinPgTypes()
  const knex = knexFactory({
    client: 'pg',
    connection: {
      connectionString: config.url,
      connectionTimeoutMillis: acquireConnectionTimeout,
      // 0 turns both off (e.g. for a long migration). A frozen server never answers, not even to cancel: the
      // client gives up a little after the server would.
      ...(statementTimeoutMs > 0 && {
        statement_timeout: statementTimeoutMs,
        query_timeout: statementTimeoutMs + CLIENT_GRACE_MS
      })
    } as Knex.PgConnectionConfig,
    searchPath: config.searchPath,
    acquireConnectionTimeout,
    pool: { min: 0, max: 10 },
    log: quietLog
  })
  discardBrokenConnections(knex)
  try {
    await knex.raw('select 1')
  } catch (error) {
    await knex.destroy()
    throw new Error(`DATABASE_URL (database.url) ${redacted(config.url!)}: cannot connect: ${causeOf(error)}`)
  }
  return { knex, kind: 'postgres', close: () => knex.destroy() }
}

const connectEmbedded = async (config: DatabaseConfig): Promise<Database> => {
  // Loaded only for the embedded database: a server on PostgreSQL never carries PGlite's code (~15 MB of RSS).
  const [{ default: ClientPgLite }, { PGlite }] = await Promise.all([
    import('knex-pglite'),
    import('@electric-sql/pglite')
  ])
  const inMemory = config.dataDir === MEMORY
  const release = inMemory ? undefined : await lockDataDir(config.dataDir)
  let pglite: InstanceType<typeof PGlite>
  try {
    if (!inMemory) assertWritable(config.dataDir)
    // The options form: `new PGlite(undefined, options)` silently ignores the options.
    pglite = new PGlite({ dataDir: inMemory ? undefined : config.dataDir, parsers: typeParsers })
    await pglite.waitReady
  } catch (error) {
    await release?.()
    throw cannotOpen(config.dataDir, error)
  }
  const knex = knexFactory({
    client: ClientPgLite as unknown as typeof Knex.Client,
    dialect: 'postgres',
    connection: () => ({ pglite }) as object,
    acquireConnectionTimeout: config.acquireConnectionTimeout
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

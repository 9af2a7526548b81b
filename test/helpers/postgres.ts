import { randomUUID } from 'node:crypto'
import config from 'config'
import { connectDatabase, MEMORY } from '../../src/database/connect'

/**
 * A suite that needs a real PostgreSQL server (to stop it, dump it, share it between processes): registered in
 * CI's PostgreSQL pass of the suite (`DATABASE_URL` set) only, so the embedded pass shows nothing pending.
 */
export const describeOnPostgres = (title: string, suite: (this: Mocha.Suite) => void) => {
  if (config.get<string>('database.url')) describe(title, suite)
}

/** Runs SQL on the server of `url` (its maintenance connection), e.g. to create or drop databases. */
export const onServer = async (url: string, statements: string[]) => {
  const db = await connectDatabase({ url, dataDir: MEMORY, acquireConnectionTimeout: 5000 })
  try {
    for (const sql of statements) await db.knex.raw(sql)
  } finally {
    await db.close()
  }
}

/** A fresh database on the PostgreSQL of `url`, for tests that start their own servers; `drop` removes it. */
export const freshDatabase = async (url: string, prefix: string) => {
  const name = `${prefix}_${randomUUID().slice(0, 8)}`
  await onServer(url, [`CREATE DATABASE ${name}`])
  const target = new URL(url)
  target.pathname = `/${name}`
  return {
    name,
    url: target.toString(),
    drop: () =>
      onServer(url, [
        `ALTER DATABASE ${name} ALLOW_CONNECTIONS true`,
        `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`
      ])
  }
}

import { randomBytes } from 'node:crypto'
import pg from 'pg'

export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres'

export interface BenchDatabase {
  name: string
  url: string
  drop: () => Promise<void>
}

/** The benchmark's own database next to the one DATABASE_URL names: never touches existing data. */
export const createBenchDatabase = async (adminUrl = DEFAULT_ADMIN_URL): Promise<BenchDatabase> => {
  const name = `bench_${Date.now()}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${name}`)
  } finally {
    await admin.end()
  }
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  let dropped: Promise<void> | undefined
  const drop = () =>
    (dropped ??= (async () => {
      const client = new pg.Client({ connectionString: adminUrl })
      await client.connect()
      try {
        // FORCE: a server that failed to stop may still hold connections.
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      } finally {
        await client.end()
      }
    })())
  return { name, url: url.toString(), drop }
}

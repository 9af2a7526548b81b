import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import config from 'config'
import { connectDatabase, MEMORY } from '../../src/database/connect'
import { baseEnv, startProcess, stopProcess, type Started } from '../helpers/process'

// Readiness follows the database without a restart. Only PostgreSQL can be taken away from a running
// server, so this runs in CI's PostgreSQL pass (DATABASE_URL set), on a database of its own.
const url = config.get<string>('database.url')

describe('ops: readiness follows the database (PostgreSQL)', function () {
  this.timeout(60_000)
  if (!url) {
    it('is covered by the PostgreSQL run of the suite (DATABASE_URL): the embedded database cannot go away', () => {
      assert.equal(url, '')
    })
    return
  }
  const name = `health_${randomUUID().slice(0, 8)}`
  const admin = () => connectDatabase({ url, dataDir: MEMORY, acquireConnectionTimeout: 5000 })
  let server: Started

  before(async () => {
    const db = await admin()
    await db.knex.raw(`CREATE DATABASE ${name}`)
    await db.close()
    const target = new URL(url)
    target.pathname = `/${name}`
    server = await startProcess({ ...baseEnv(), DATABASE_URL: target.toString() })
  })

  after(async () => {
    if (server) await stopProcess(server.child)
    const db = await admin()
    await db.knex.raw(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`)
    await db.knex.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await db.close()
  })

  const ready = async () => {
    const response = await fetch(`${server.url}/health/ready`)
    return { status: response.status, body: await response.json() }
  }

  it('answers 503 with a reason while the database is unreachable, and 200 again when it is back', async () => {
    assert.equal((await ready()).status, 200)
    const db = await admin()
    await db.knex.raw(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`)
    await db.knex.raw(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ?`, [name])
    const down = await ready()
    assert.equal(down.status, 503)
    assert.match(down.body.reason, /database not reachable/)
    await db.knex.raw(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`)
    await db.close()
    assert.equal((await ready()).status, 200)
  })
})

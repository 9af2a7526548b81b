import assert from 'node:assert/strict'
import config from 'config'
import { describeOnPostgres, freshDatabase, onServer } from '../helpers/postgres'
import { baseEnv, startProcess, stopProcess, type Started } from '../helpers/process'

// Readiness follows the database without a restart. Only PostgreSQL can be taken away from a running
// server, so this runs in CI's PostgreSQL pass (DATABASE_URL set), on a database of its own.
const url = config.get<string>('database.url')

describeOnPostgres('ops: readiness follows the database (PostgreSQL)', function () {
  this.timeout(60_000)
  let database: Awaited<ReturnType<typeof freshDatabase>>
  let server: Started

  before(async () => {
    database = await freshDatabase(url, 'health')
    server = await startProcess({ ...baseEnv(), DATABASE_URL: database.url })
  })

  after(async () => {
    if (server) await stopProcess(server.child)
    await database?.drop()
  })

  const ready = async () => {
    const response = await fetch(`${server.url}/health/ready`)
    return { status: response.status, body: await response.json() }
  }

  it('answers 503 with a reason while the database is unreachable, and 200 again when it is back', async () => {
    assert.equal((await ready()).status, 200)
    const { name } = database
    await onServer(url, [
      `ALTER DATABASE ${name} ALLOW_CONNECTIONS false`,
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}'`
    ])
    const down = await ready()
    assert.equal(down.status, 503)
    assert.match(down.body.reason, /database not reachable/)
    await onServer(url, [`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`])
    assert.equal((await ready()).status, 200)
  })
})

import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { feathers, socketio } from '@feathersjs/client'
import { io } from 'socket.io-client'
import { baseEnv, startProcess, stopProcess, type Started } from '../helpers/process'
import { privateCluster, type PrivateCluster } from '../helpers/private-postgres'

// Database faults as a client meets them: down, frozen, full. Each on a private PostgreSQL cluster the test
// starts itself (never the shared one), so this runs on both passes of the suite.

const call = async (server: Started, method: string, route: string, body?: unknown, timeoutMs = 10_000) => {
  const response = await fetch(`${server.url}${route}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    // A hang fails the test instead of stalling it.
    signal: AbortSignal.timeout(timeoutMs)
  })
  const text = await response.text()
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined }
}

let counter = 0
const newUser = () => ({ email: `fault-${++counter}@example.com`, password: 'long enough 1', name: 'Fault' })

const assertUnavailable = (response: Awaited<ReturnType<typeof call>>, what: string) => {
  assert.equal(response.status, 503, `${what}: ${JSON.stringify(response.body)}`)
  assert.ok(Number(response.headers.get('retry-after')) > 0, `${what}: Retry-After`)
  assert.equal(response.body.name, 'Unavailable')
  assert.ok(!/ECONN|terminat|timeout|Knex/i.test(response.body.message), 'no driver text')
}

describe('database faults answer 503/507 and recover (private PostgreSQL)', function () {
  this.timeout(120_000)
  let cluster: PrivateCluster
  let server: Started | undefined

  before(async () => {
    cluster = await privateCluster()
  })

  afterEach(async () => {
    if (server) await stopProcess(server.child)
    server = undefined
  })

  after(() => cluster?.destroy())

  const startOn = async (database: string, options = '', env: NodeJS.ProcessEnv = {}) => {
    cluster.sql(`CREATE DATABASE ${database} ${options}`)
    server = await startProcess({
      ...baseEnv(),
      DATABASE_URL: cluster.url.replace(/\/postgres$/, `/${database}`),
      STATEMENT_TIMEOUT_MS: '1500',
      DB_ACQUIRE_TIMEOUT_MS: '1500',
      ...env
    })
    return server
  }

  it('answers 503 with Retry-After while the database is down, on services (REST and Socket.io) and /authentication, then recovers', async () => {
    const server = await startOn('outage')
    const user = newUser()
    assert.equal((await call(server, 'POST', '/users', user)).status, 201)
    cluster.stop()
    try {
      assertUnavailable(await call(server, 'GET', '/products'), 'GET /products')
      assertUnavailable(await call(server, 'POST', '/users', newUser()), 'POST /users')
      assertUnavailable(
        await call(server, 'POST', '/authentication', { strategy: 'local', ...user }),
        'login'
      )
      assert.equal((await call(server, 'GET', '/health/ready')).status, 503)
      // Socket.io: the same error, its retry delay in data.
      const socket = io(server.url, { transports: ['websocket'], forceNew: true })
      try {
        const client = feathers().configure(socketio(socket, { timeout: 10_000 }))
        await assert.rejects(client.service('products').find(), (error: any) => {
          assert.equal(error.code, 503, JSON.stringify(error))
          assert.ok(error.data.retryAfter > 0)
          return true
        })
      } finally {
        socket.close()
      }
    } finally {
      cluster.start()
    }
    // No restart of the server: the first requests after the database is back succeed.
    assert.equal((await call(server, 'GET', '/products')).status, 200)
    const login = await call(server, 'POST', '/authentication', { strategy: 'local', ...user })
    assert.equal(login.status, 201, JSON.stringify(login.body))
    assert.equal((await call(server, 'GET', '/health/ready')).status, 200)
  })

  it('bounds every request while the database is frozen, readiness included, then recovers', async () => {
    const server = await startOn('frozen')
    assert.equal((await call(server, 'GET', '/products')).status, 200)
    const pids = cluster.pids()
    for (const pid of pids) process.kill(pid, 'SIGSTOP')
    try {
      // More requests than the pool has connections: some wait for the pool, the rest for the frozen server.
      const answers = await Promise.all([
        ...Array.from({ length: 14 }, () => call(server, 'GET', '/products')),
        call(server, 'POST', '/users', newUser())
      ])
      answers.forEach((answer, i) => assertUnavailable(answer, `request ${i}`))
      const ready = await call(server, 'GET', '/health/ready', undefined, 5000)
      assert.equal(ready.status, 503)
      assert.match(ready.body.reason, /database not (answering|reachable)/)
    } finally {
      for (const pid of pids) process.kill(pid, 'SIGCONT')
    }
    let status = 0
    // The stuck queries finish or time out once the server runs again; then requests succeed.
    for (let attempt = 0; attempt < 20 && status !== 200; attempt++) {
      status = (await call(server, 'GET', '/products')).status
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 250))
    }
    assert.equal(status, 200)
  })

  it('bounds a request of several queries by one statement timeout while the database is frozen', async () => {
    const server = await startOn('frozen_pool', '', {
      STATEMENT_TIMEOUT_MS: '3000',
      DB_ACQUIRE_TIMEOUT_MS: '1000'
    })
    const user = newUser()
    assert.equal((await call(server, 'POST', '/users', user)).status, 201)
    // A warm pool: several idle connections to the server about to freeze.
    await Promise.all(Array.from({ length: 10 }, () => call(server, 'GET', '/products')))
    const pids = cluster.pids()
    for (const pid of pids) process.kill(pid, 'SIGSTOP')
    try {
      // Before: each query of a login took the next stuck connection and waited its own statement timeout
      // (2 × 16 s with the defaults). Now one timed-out query drops every idle connection to that server, and the
      // next query waits at most the acquire timeout: one statement (4 s) + one acquire (1 s), under 6.5 s (before: 8 s).
      const login = await call(server, 'POST', '/authentication', { strategy: 'local', ...user }, 6500)
      assertUnavailable(login, 'login')
    } finally {
      for (const pid of pids) process.kill(pid, 'SIGCONT')
    }
    let status = 0
    for (let attempt = 0; attempt < 20 && status !== 201; attempt++) {
      status = (await call(server, 'POST', '/authentication', { strategy: 'local', ...user })).status
      if (status !== 201) await new Promise((resolve) => setTimeout(resolve, 250))
    }
    assert.equal(status, 201)
  })

  it('answers 507 when storage is full, reports it in readiness, and writes again once space is freed', async () => {
    // A tablespace on a tiny file system of its own: data files hit "no space left", the WAL does not.
    const tiny = path.join(cluster.dir, 'tiny')
    fs.mkdirSync(tiny)
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', tiny])
    try {
      execFileSync('chown', ['postgres:postgres', tiny])
      cluster.sql(`CREATE TABLESPACE tiny LOCATION '${tiny}'`)
      const server = await startOn('filled', 'TABLESPACE tiny')
      assert.equal((await call(server, 'POST', '/users', newUser())).status, 201)
      // Fill what is left of the file system from outside, as another program would.
      const filler = path.join(tiny, 'filler')
      try {
        execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k'], { stdio: 'ignore' })
      } catch {
        // dd stops with "No space left on device": the point
      }
      let refused: Awaited<ReturnType<typeof call>> | undefined
      for (let i = 0; i < 500 && !refused; i++) {
        const answer = await call(server, 'POST', '/users', newUser())
        if (answer.status !== 201) refused = answer
      }
      assert.ok(refused, 'a write was refused')
      assert.equal(refused.status, 507, JSON.stringify(refused.body))
      assert.equal(refused.body.name, 'InsufficientStorage')
      assert.ok(Number(refused.headers.get('retry-after')) > 0)
      const ready = await call(server, 'GET', '/health/ready')
      assert.equal(ready.status, 503)
      assert.match(ready.body.reason, /storage full/)
      assert.equal((await call(server, 'GET', '/products')).status, 200, 'reads still work')
      fs.rmSync(filler)
      assert.equal((await call(server, 'POST', '/users', newUser())).status, 201)
    } finally {
      if (server) await stopProcess(server.child)
      server = undefined
      try {
        cluster.sql('DROP DATABASE IF EXISTS filled')
        cluster.sql('DROP TABLESPACE IF EXISTS tiny')
      } finally {
        execFileSync('umount', ['-l', tiny])
      }
    }
  })
})

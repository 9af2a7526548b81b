import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import config from 'config'
import { feathers, socketio, authentication as authenticationClient } from '@feathersjs/client'
import { io, type Socket } from 'socket.io-client'
import { Redis } from 'ioredis'
import { describeOnPostgres, freshDatabase } from '../helpers/postgres'
import { baseEnv, runCli, startProcess, stopProcess, type Started } from '../helpers/process'
import { privateRedis } from '../helpers/redis'

// Redis is an accelerator, never a single point of failure: a private redis-server per suite, stopped and
// started at will (never the machine's shared one).
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const sockets: Socket[] = []

const json = async (base: string, method: string, route: string, body?: unknown, token?: string) => {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  return { status: response.status, body: await response.json() }
}
const login = async (base: string) =>
  (
    await json(base, 'POST', '/authentication', {
      strategy: 'local',
      email: 'boss@example.com',
      password: 'admin password 1'
    })
  ).body.accessToken as string
const product = (name: string) => ({ sku: name, name, priceCents: 1, currency: 'USD', status: 'active' })
/** The names of the products whose `created` events reach a staff socket on `base`. */
const watch = async (base: string, accessToken: string) => {
  const socket = io(base, { transports: ['websocket'], forceNew: true })
  sockets.push(socket)
  const client = feathers()
    .configure(socketio(socket))
    .configure(authenticationClient({ storage: undefined as any }))
  await client.authenticate({ strategy: 'jwt', accessToken })
  const received: string[] = []
  client.service('products').on('created', (created: any) => received.push(created.name))
  return received
}
const ready = async (base: string) => json(base, 'GET', '/health/ready')
const redisGauge = async (base: string) =>
  Number((await (await fetch(`${base}/metrics`)).text()).match(/^api_redis_up\{client="sync"\} (\d)/m)?.[1])
/** Polls until `check` holds (Redis reconnects on its own schedule), failing after `ms`. */
const eventually = async (check: () => Promise<boolean>, what: string, ms = 15_000) => {
  const until = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > until) assert.fail(`not within ${ms} ms: ${what}`)
    await pause(200)
  }
}
const withAdmin = (env: NodeJS.ProcessEnv) => {
  const args = [
    'create-user',
    '--email',
    'boss@example.com',
    '--password',
    'admin password 1',
    '--role',
    'admin'
  ]
  const created = runCli(args, env)
  assert.equal(created.status, 0, created.stderr)
}
const startWithin = (env: NodeJS.ProcessEnv, ms = 30_000) =>
  Promise.race([
    startProcess(env),
    pause(ms).then(() => assert.fail(`the server did not start within ${ms} ms`))
  ]) as Promise<Started>

describe('Redis outage: one instance (embedded database)', function () {
  this.timeout(120_000)
  let redis: Awaited<ReturnType<typeof privateRedis>>
  let server: Started | undefined

  before(async () => {
    redis = await privateRedis()
  })
  after(async () => {
    sockets.splice(0).forEach((socket) => socket.close())
    if (server?.child.exitCode === null) await stopProcess(server.child)
    await redis.kill()
  })

  it('starts with Redis down, serves and delivers its own events, reports the degradation, connects once Redis is up, and stops promptly while it is down', async () => {
    await redis.kill()
    const env = {
      ...baseEnv(),
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'redis-down-')),
      REDIS_URL: redis.url
    }
    withAdmin(env)
    server = await startWithin(env)
    const { url } = server
    const health = await ready(url)
    assert.equal(health.status, 200, 'only the database makes readiness fail')
    assert.equal(health.body.redis, 'degraded')
    assert.equal(await redisGauge(url), 0)

    // Rate-limited routes count in memory meanwhile; events reach this instance's own sockets.
    const registered = await json(url, 'POST', '/users', {
      email: 'ann@example.com',
      password: 'long enough 1',
      name: 'A'
    })
    assert.equal(registered.status, 201)
    const token = await login(url)
    assert.ok(token)
    const received = await watch(url, token)
    assert.equal((await json(url, 'POST', '/products', product('while-down'), token)).status, 201)
    await pause(300)
    assert.deepEqual(received, ['while-down'])

    await redis.start()
    await eventually(async () => (await ready(url)).body.redis === 'ok', 'readiness reports Redis ok again')
    assert.equal(await redisGauge(url), 1)
    // Whatever else arrives on the channel is reported and ignored, never fatal or deafening.
    const other = new Redis(redis.url)
    for (const message of [
      'not json',
      JSON.stringify({ origin: 'x', event: 'created', path: '__proto__', data: {} }),
      JSON.stringify({ origin: 'x', event: 'error', path: 'products', data: {} }),
      JSON.stringify({ origin: 'x', event: 'created', path: 'no-such-service', data: {} })
    ])
      await other.publish('internal-api:events', message)
    other.disconnect()
    await pause(300)
    assert.match(
      await (await fetch(`${url}/metrics`)).text(),
      /api_event_listener_errors_total\{listener="redis: internal-api:events"\} 1/
    )
    assert.equal((await json(url, 'POST', '/products', product('with-redis'), token)).status, 201)
    await pause(300)
    assert.deepEqual(received, ['while-down', 'with-redis'])

    await redis.kill()
    await eventually(
      async () => (await ready(url)).body.redis === 'degraded',
      'readiness reports Redis degraded'
    )
    // Open sockets delay a stop on their own (another matter): only Redis is tested here.
    sockets.splice(0).forEach((socket) => socket.close())
    const stopping = Date.now()
    assert.equal(await stopProcess(server.child), 0, server.output().slice(-2000))
    assert.ok(Date.now() - stopping < 5000, `SIGTERM with Redis down took ${Date.now() - stopping} ms`)
  })
})

describe('REDIS_URL that is not a Redis URL', function () {
  this.timeout(60_000)
  it('stops the start with a message naming the setting, without repeating the URL', async () => {
    const started = startProcess({ ...baseEnv(), REDIS_URL: 'secret-password@not a url' })
    await assert.rejects(started, (error: Error) => {
      assert.match(error.message, /exited with 1: REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/)
      assert.doesNotMatch(error.message, /secret-password/)
      return true
    })
  })
})

describe('Redis that stops answering (embedded database)', function () {
  this.timeout(120_000)
  let redis: Awaited<ReturnType<typeof privateRedis>>
  let server: Started | undefined

  before(async () => {
    redis = await privateRedis()
  })
  after(async () => {
    redis.thaw()
    if (server?.child.exitCode === null) await stopProcess(server.child)
    await redis.kill()
  })

  it('is noticed, costs requests nothing, does not hold up SIGTERM, and is recovered from', async () => {
    const env = {
      ...baseEnv(),
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'redis-frozen-')),
      REDIS_URL: redis.url
    }
    withAdmin(env)
    server = await startWithin(env)
    const { url } = server
    // The link to Redis connects in the background: on a busy machine the first probe may come before it.
    await eventually(
      async () => (await ready(url)).body.redis === 'ok',
      'readiness reports Redis ok at first'
    )

    redis.freeze()
    await eventually(
      async () => (await ready(url)).body.redis === 'degraded',
      'readiness reports Redis degraded'
    )
    // Logins and registrations are rate limited: counted in memory at once, not after a Redis timeout each.
    const token = await login(url)
    assert.ok(token)
    const registered = await json(url, 'POST', '/users', {
      email: 'bob@example.com',
      password: 'long enough 1',
      name: 'B'
    })
    assert.equal(registered.status, 201)

    redis.thaw()
    await eventually(async () => (await ready(url)).body.redis === 'ok', 'readiness reports Redis ok again')

    redis.freeze()
    const stopping = Date.now()
    assert.equal(await stopProcess(server.child), 0, server.output().slice(-2000))
    assert.ok(Date.now() - stopping < 5000, `SIGTERM with Redis frozen took ${Date.now() - stopping} ms`)
  })
})

describeOnPostgres('Redis outage: two instances on one PostgreSQL', function () {
  this.timeout(180_000)
  let database: Awaited<ReturnType<typeof freshDatabase>>
  let redis: Awaited<ReturnType<typeof privateRedis>>
  let env: NodeJS.ProcessEnv
  const servers: Started[] = []
  const start = async () => {
    const started = await startWithin(env)
    servers.push(started)
    return started
  }

  before(async () => {
    redis = await privateRedis()
    database = await freshDatabase(config.get<string>('database.url'), 'redis_outage')
    env = { ...baseEnv(), DATABASE_URL: database.url, REDIS_URL: redis.url }
    withAdmin(env)
  })
  after(async () => {
    sockets.splice(0).forEach((socket) => socket.close())
    await Promise.all(servers.filter((s) => s.child.exitCode === null).map((s) => stopProcess(s.child)))
    await redis.kill()
    await database?.drop()
  })

  it('keeps both instances serving through a Redis crash under load, and resumes cross-instance events after', async () => {
    const [a, b] = [await start(), await start()]
    const token = await login(a.url)
    const onA = await watch(a.url, token)
    const onB = await watch(b.url, token)
    assert.equal((await json(a.url, 'POST', '/products', product('before'), token)).status, 201)
    await pause(500)
    assert.deepEqual([onA, onB], [['before'], ['before']])

    // Load on both: writes (events), reads and logins (rate limits), until told to stop.
    const statuses: Array<number | string> = []
    let loading = true
    let n = 0
    const worker = async (base: string) => {
      while (loading) {
        const name = `load-${n++}`
        for (const call of [
          () => json(base, 'POST', '/products', product(name), token),
          () => json(base, 'GET', '/products?$limit=5', undefined, token),
          () =>
            json(base, 'POST', '/authentication', {
              strategy: 'local',
              email: 'boss@example.com',
              password: 'admin password 1'
            })
        ])
          statuses.push(
            await call().then(
              (r) => r.status,
              (error) => String(error?.cause?.code ?? error)
            )
          )
      }
    }
    const load = [a.url, b.url, a.url, b.url].map(worker)
    await pause(1000)
    await redis.kill()
    await pause(2000)

    for (const s of [a, b])
      assert.equal(s.child.exitCode, null, `an instance died: ${s.output().slice(-3000)}`)
    for (const s of [a, b]) {
      const health = await ready(s.url)
      assert.equal(health.status, 200)
      assert.equal(health.body.redis, 'degraded')
    }
    // Each instance still delivers its own events to its own sockets.
    assert.equal((await json(a.url, 'POST', '/products', product('down-a'), token)).status, 201)
    assert.equal((await json(b.url, 'POST', '/products', product('down-b'), token)).status, 201)
    await pause(500)
    assert.ok(onA.includes('down-a'), 'A delivers its own event')
    assert.ok(onB.includes('down-b'), 'B delivers its own event')

    await redis.start()
    for (const s of [a, b])
      await eventually(async () => (await ready(s.url)).body.redis === 'ok', 'both reconnect on their own')
    loading = false
    await Promise.all(load)
    const failed = statuses.filter((status) => typeof status !== 'number' || status >= 500)
    assert.deepEqual(failed, [], `no request failed (of ${statuses.length})`)
    for (const s of [a, b])
      assert.equal(s.child.exitCode, null, `an instance died: ${s.output().slice(-3000)}`)

    assert.equal((await json(a.url, 'POST', '/products', product('after-a'), token)).status, 201)
    assert.equal((await json(b.url, 'POST', '/products', product('after-b'), token)).status, 201)
    await pause(500)
    for (const received of [onA, onB])
      assert.deepEqual(
        received.filter((name) => name.startsWith('after')),
        ['after-a', 'after-b']
      )
  })

  it('an instance started while another publishes continuously receives events', async () => {
    await redis.start()
    const a = servers[0] ?? (await start())
    const token = await login(a.url)
    let publishing = true
    let n = 0
    const publisher = (async () => {
      while (publishing) await json(a.url, 'POST', '/products', product(`busy-${n++}`), token)
    })()
    const c = await start()
    await pause(500)
    publishing = false
    await publisher
    const onC = await watch(c.url, token)
    assert.equal((await json(a.url, 'POST', '/products', product('for-c'), token)).status, 201)
    await pause(500)
    assert.deepEqual(onC, ['for-c'], 'C is not deaf')
    const health = await ready(c.url)
    assert.equal(health.body.redis, 'ok')
  })
})

import assert from 'node:assert/strict'
import config from 'config'
import { feathers, socketio, authentication as authenticationClient } from '@feathersjs/client'
import { io, type Socket } from 'socket.io-client'
import { describeOnPostgres, freshDatabase } from '../helpers/postgres'
import { baseEnv, callJson, runCli, startProcess, stopProcess, type Started } from '../helpers/process'

// Two instances on one PostgreSQL with Redis between them (src/ops/sync.ts). PGlite cannot be shared by two
// processes, so this runs in CI's PostgreSQL pass (DATABASE_URL set); Redis is the machine's local one.
const url = config.get<string>('database.url')
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379'

describeOnPostgres(
  'scale-out: events cross instances through Redis with the same permission filtering',
  function () {
    this.timeout(120_000)
    let database: Awaited<ReturnType<typeof freshDatabase>>
    const sockets: Socket[] = []
    let a: Started
    let b: Started
    let env: NodeJS.ProcessEnv

    const login = async (base: string, email: string, password: string) =>
      (await callJson(base, 'POST', '/authentication', { strategy: 'local', email, password })).body
    const watch = async (base: string, accessToken: string) => {
      const socket = io(base, { transports: ['websocket'], forceNew: true })
      sockets.push(socket)
      const client = feathers()
        .configure(socketio(socket))
        .configure(authenticationClient({ storage: undefined as any }))
      await client.authenticate({ strategy: 'jwt', accessToken })
      const received: string[] = []
      client.service('products').on('created', (product: any) => received.push(`product ${product.name}`))
      socket.on('authentication revoked', () => received.push('revoked'))
      return received
    }
    const settle = () => new Promise((resolve) => setTimeout(resolve, 500))

    before(async () => {
      database = await freshDatabase(url, 'scale')
      env = { ...baseEnv(), DATABASE_URL: database.url, REDIS_URL: redisUrl }
      a = await startProcess(env)
      b = await startProcess(env)
    })

    after(async () => {
      sockets.forEach((socket) => socket.close())
      await Promise.all([a, b].filter(Boolean).map((instance) => stopProcess(instance.child)))
      await database?.drop()
    })

    it('delivers a change made through instance A to the sockets on instance B that may see it', async () => {
      assert.equal(
        runCli(
          ['create-user', '--email', 'boss@example.com', '--password', 'admin password 1', '--role', 'admin'],
          env
        ).status,
        0
      )
      await callJson(a.url, 'POST', '/users', {
        email: 'ann@example.com',
        password: 'long enough 1',
        name: 'Ann'
      })
      const boss = await login(a.url, 'boss@example.com', 'admin password 1')
      const ann = await login(a.url, 'ann@example.com', 'long enough 1')

      const staffOnB = await watch(b.url, boss.accessToken)
      const customerOnB = await watch(b.url, ann.accessToken)
      const product = (name: string, status: string) => ({
        sku: name,
        name,
        priceCents: 1,
        currency: 'USD',
        status
      })
      assert.equal(
        (await callJson(a.url, 'POST', '/products', product('draft-one', 'draft'), boss.accessToken)).status,
        201
      )
      assert.equal(
        (await callJson(a.url, 'POST', '/products', product('public-one', 'active'), boss.accessToken))
          .status,
        201
      )
      await settle()
      assert.deepEqual(staffOnB, ['product draft-one', 'product public-one'])
      assert.deepEqual(customerOnB, ['product public-one'], 'no draft crosses to a customer')

      // B has Ann's identity cached (src/auth/identity-cache.ts) after a REST call.
      assert.equal((await callJson(b.url, 'GET', '/users/me', undefined, ann.accessToken)).status, 200)

      // A session revoked through A ends on B's sockets too, and B refuses the token: the revocation's event
      // crossed through Redis, long before the cache's own 10 s limit.
      await callJson(
        a.url,
        'DELETE',
        `/sessions/${ann.authentication.payload.sid}`,
        undefined,
        boss.accessToken
      )
      await settle()
      assert.ok(customerOnB.includes('revoked'))
      assert.equal((await callJson(b.url, 'GET', '/users/me', undefined, ann.accessToken)).status, 401)
    })

    it("answers B's page totals exactly right after a change made through A", async () => {
      const boss = await login(a.url, 'boss@example.com', 'admin password 1')
      const page = '/products?currency=EUR&$limit=1'
      const totalOnB = async () =>
        (await callJson(b.url, 'GET', page, undefined, boss.accessToken)).body.total
      const before = await totalOnB()
      assert.equal(await totalOnB(), before, 'B now has the total cached')
      const created = await callJson(
        a.url,
        'POST',
        '/products',
        { sku: 'euro-one', name: 'euro-one', priceCents: 1, currency: 'EUR' },
        boss.accessToken
      )
      assert.equal(created.status, 201)
      // The change crosses through Redis in well under the totals cache's 10 s.
      await settle()
      assert.equal(await totalOnB(), before + 1)
    })
  }
)

import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import config from 'config'
import type { Client } from 'graphql-ws'
import { describeOnPostgres, freshDatabase } from '../helpers/postgres'
import { baseEnv, callJson, startProcess, stopProcess, type Started } from '../helpers/process'
import { collect, connect, until, wait } from '../helpers/graphql-ws'

// Two instances on one PostgreSQL with Redis between them (src/ops/sync.ts), as test/ops/scale-out.test.ts runs
// them for Socket.io. PGlite cannot be shared by two processes: this runs in the PostgreSQL pass. The Redis is
// the machine's; a prefix of this run's own keeps other runs' events out.
const url = config.get<string>('database.url')
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379'
const ADMIN = { email: 'gql-boss@example.com', password: 'admin password for gql' }

describeOnPostgres('GraphQL subscriptions across instances (Redis)', function () {
  this.timeout(120_000)
  let database: Awaited<ReturnType<typeof freshDatabase>>
  let a: Started
  let b: Started
  const clients: Client[] = []

  const login = async (email: string, password: string) =>
    (await callJson(a.url, 'POST', '/authentication', { strategy: 'local', email, password })).body
  const customer = async (name: string) => {
    const email = `${name}@example.com`
    assert.equal(
      (await callJson(a.url, 'POST', '/users', { email, password: 'long enough 1', name })).status,
      201
    )
    return login(email, 'long enough 1')
  }
  const subscribeOnB = async (accessToken: string) => {
    const client = await connect({ authorization: `Bearer ${accessToken}` }, b.url)
    clients.push(client)
    return collect(client, 'subscription { orderPatched { id note } }')
  }

  before(async () => {
    database = await freshDatabase(url, 'gqlscale')
    const env = {
      ...baseEnv(),
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: `test-gql-scale-${randomUUID()}`
    }
    a = await startProcess({ ...env, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password })
    b = await startProcess(env)
  })
  after(async () => {
    for (const client of clients) await client.dispose()
    await Promise.all([a, b].filter(Boolean).map((instance) => stopProcess(instance.child)))
    await database?.drop()
  })

  it("delivers a write on A to B's subscribers exactly once, to the right audience; role changes cross too", async () => {
    const boss = await login(ADMIN.email, ADMIN.password)
    const product = await callJson(
      a.url,
      'POST',
      '/products',
      { sku: 'SCALE-1', name: 'Scale', priceCents: 500, currency: 'USD', status: 'active' },
      boss.accessToken
    )
    assert.equal(product.status, 201)
    const stock = { productId: product.body.id, kind: 'receive', quantity: 10, reason: 'test' }
    assert.equal((await callJson(a.url, 'POST', '/inventory', stock, boss.accessToken)).status, 201)
    const [ann, cid] = [await customer('ann'), await customer('cid')]
    const order = await callJson(
      a.url,
      'POST',
      '/orders',
      {
        items: [{ productId: product.body.id, quantity: 1 }],
        shippingAddress: { line1: '1 Main St', city: 'Seoul', country: 'KR' }
      },
      ann.accessToken
    )
    assert.equal(order.status, 201, JSON.stringify(order.body))

    const owner = await subscribeOnB(ann.accessToken)
    const staff = await subscribeOnB(boss.accessToken)
    const other = await subscribeOnB(cid.accessToken)
    await wait(300)
    const note = async (base: string, text: string) =>
      assert.equal(
        (await callJson(base, 'PATCH', `/orders/${order.body.id}`, { note: text }, ann.accessToken)).status,
        200
      )
    const notes = (events: { received: any[] }) =>
      events.received.map((event) => event.data.orderPatched.note)

    await note(a.url, 'from A')
    await until(() => notes(owner).length > 0 && notes(staff).length > 0)
    // A write through B itself reaches B's subscribers once too (never echoed back through Redis).
    await note(b.url, 'from B')
    await until(() => notes(owner).length > 1)
    await wait(500)
    assert.deepEqual(notes(owner), ['from A', 'from B'])
    assert.deepEqual(notes(staff), ['from A', 'from B'])
    assert.deepEqual(notes(other), [], 'another customer receives nothing')

    // Cid is made support through A: B's open subscription follows, from the next event on.
    const promoted = await callJson(
      a.url,
      'PATCH',
      `/users/${cid.user.id}`,
      { roles: ['support'] },
      boss.accessToken
    )
    assert.equal(promoted.status, 200)
    await wait(500)
    await note(a.url, 'after the promotion')
    await until(() => notes(other).length > 0)
    await wait(500)
    assert.deepEqual(notes(other), ['after the promotion'])
    assert.deepEqual(notes(owner), ['from A', 'from B', 'after the promotion'])
  })
})

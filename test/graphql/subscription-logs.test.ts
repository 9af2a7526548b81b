import assert from 'node:assert/strict'
import type { Client } from 'graphql-ws'
import { baseEnv, startProcess, stopProcess, type Started } from '../helpers/process'
import { collect, connect, endOf, until, wait } from '../helpers/graphql-ws'

const ADMIN = { email: 'logs-admin@example.com', password: 'logs admin password 1' }

// The server as `npm start` runs it (logging at info level), so its log lines can be read as an operator would.
describe('GraphQL over graphql-ws: each operation is logged and counted (child process)', function () {
  this.timeout(120_000)
  let server: Started
  const clients: Client[] = []

  const lines = (message: string) =>
    server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.msg === message && entry.transport === 'graphql-ws')
  const metrics = async () => (await fetch(`${server.url}/metrics`)).text()
  const open = async (params?: Record<string, string>) => {
    const client = await connect(params, server.url)
    clients.push(client)
    return client
  }

  before(async () => {
    server = await startProcess({ ...baseEnv(), ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password })
  })
  after(async () => {
    for (const client of clients) await client.dispose()
    if (server) await stopProcess(server.child)
  })

  it('logs a subscription when it starts and when it ends, with the events it delivered; /metrics counts them', async () => {
    const login = await fetch(`${server.url}/authentication`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ strategy: 'local', ...ADMIN })
    })
    const { accessToken, user } = await login.json()
    const client = await open({ authorization: `Bearer ${accessToken}` })
    const watched = collect(client, 'subscription Watch { productCreated { sku } }', 'Watch')
    const closing = collect(await open(), 'subscription { productCreated { sku } }')
    await wait(300)
    for (const sku of ['LOG-1', 'LOG-2']) {
      const created = await fetch(`${server.url}/products`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
        body: JSON.stringify({ sku, name: sku, priceCents: 100, currency: 'USD', status: 'active' })
      })
      assert.equal(created.status, 201)
    }
    await until(() => watched.received.length === 2 && closing.received.length === 2)
    watched.stop() // the client completes it
    await clients[1].dispose() // the socket closes under the other
    await until(() => lines('graphql subscription ended').length === 2)

    const started = lines('graphql subscription started')
    assert.equal(started.length, 2)
    const mine = started.find((entry) => entry.operation === 'Watch')
    assert.equal(mine.identity, `user:${user.id}`)
    assert.equal(mine.operationType, 'subscription')
    assert.equal(mine.subscription, 'productCreated')
    assert.equal(mine.status, 200)
    assert.equal(typeof mine.durationMs, 'number')

    const ended = lines('graphql subscription ended')
    const complete = ended.find((entry) => entry.operation === 'Watch')
    assert.equal(complete.end, 'complete')
    assert.equal(complete.events, 2)
    const closed = ended.find((entry) => entry.operation === null)
    assert.equal(closed.end, 'closed')
    assert.equal(closed.closeCode, 1000)
    assert.equal(closed.identity, 'anonymous')
    assert.equal(closed.events, 2)

    const text = await metrics()
    assert.match(text, /api_graphql_subscription_events_total\{subscription="productCreated"\} 4\n/)
    assert.match(text, /api_graphql_subscriptions\{subscription="productCreated"\} 0\n/)
    assert.match(
      text,
      /api_request_duration_seconds_count\{transport="graphql-ws",service="graphql",method="subscription",status="200"\} 2\n/
    )
  })

  it('logs queries and refused documents once each, with their status and codes', async () => {
    const client = await open()
    const query = collect(client, 'query Count { products(limit: 1) { total } }')
    assert.equal(await endOf(query.ended), undefined)
    const invalid = collect(client, 'subscription Nope { nothing { id } }')
    assert.ok(Array.isArray(await endOf(invalid.ended)))
    // An operation name that is not a GraphQL name never reaches the logs.
    const hostile = collect(client, 'query { products(limit: 1) { total } }', 'x"}\n{"fake":1')
    await endOf(hostile.ended)
    await until(() => lines('graphql operation').length >= 3)
    await wait(200)

    const operations = lines('graphql operation')
    const count = operations.find((entry) => entry.operation === 'Count')
    assert.deepEqual(
      { type: count.operationType, status: count.status, codes: count.codes },
      { type: 'query', status: 200, codes: [] }
    )
    const nope = operations.find((entry) => entry.codes.includes('GRAPHQL_VALIDATION_FAILED'))
    assert.equal(nope.status, 400)
    assert.equal(nope.operationType, null)
    assert.ok(!server.output().includes('fake'), 'the hostile name is not logged')
    assert.equal(operations.length, 3, 'one line each')
    const text = await metrics()
    assert.match(
      text,
      /api_request_duration_seconds_count\{transport="graphql-ws",service="graphql",method="query",status="200"\} [1-9]/
    )
    assert.match(
      text,
      /api_request_duration_seconds_count\{transport="graphql-ws",service="graphql",method="invalid",status="400"\} 2\n/
    )
  })
})

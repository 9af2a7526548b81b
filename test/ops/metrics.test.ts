import assert from 'node:assert/strict'
import { api, userWithRoles } from '../helpers/server'
import { closeClients, openClient } from '../helpers/socket'

describe('ops: Prometheus metrics and health', () => {
  after(closeClients)

  it('counts service calls over REST and Socket.io alike, with status codes', async () => {
    const user = await userWithRoles(['customer'])
    await api('GET', '/categories')
    await api('GET', '/users', {})
    const { client } = await openClient(user, [])
    await client.service('products').find({ query: { $limit: 1 } })
    const { status, body, headers } = await api('GET', '/metrics')
    assert.equal(status, 200)
    assert.match(headers.get('content-type')!, /text\/plain/)
    assert.match(
      body,
      /api_request_duration_seconds_count\{transport="rest",service="categories",method="find",status="200"\} \d+/
    )
    assert.match(
      body,
      /api_request_duration_seconds_count\{transport="rest",service="users",method="find",status="401"\} \d+/
    )
    assert.match(
      body,
      /api_request_duration_seconds_count\{transport="socket",service="products",method="find",status="200"\} \d+/
    )
    assert.match(body, /api_database_up 1/)
    assert.match(body, /process_resident_memory_bytes/)
    assert.match(body, /api_socket_connections [1-9]/)
    assert.match(body, /api_requests_in_flight\{transport="rest"\} 0/)
    assert.match(body, /api_database_pool_connections\{state="used"\} \d+/)
  })

  it('answers liveness and readiness with a database ping', async () => {
    assert.deepEqual((await api('GET', '/health/live')).body, { status: 'ok' })
    const ready = await api('GET', '/health/ready')
    assert.equal(ready.status, 200)
    assert.equal(ready.body.status, 'ok')
  })
})

describe('ops: business and realtime counters', () => {
  after(closeClients)

  it('counts orders created and realtime events published', async () => {
    const admin = await userWithRoles(['admin'])
    const customer = await userWithRoles(['customer'])
    await openClient(customer, ['orders'])
    const counter = async (pattern: RegExp) =>
      Number((await api('GET', '/metrics')).body.match(pattern)?.[1] ?? 0)
    const ordersBefore = await counter(/api_business_events_total\{event="order_created"\} (\d+)/)
    const eventsBefore = await counter(
      /api_realtime_events_published_total\{service="orders",event="created"\} (\d+)/
    )
    const product = (
      await api('POST', '/products', {
        token: admin.token,
        body: { sku: `M-${Date.now()}`, name: 'Metered', priceCents: 5, currency: 'USD', status: 'active' }
      })
    ).body
    await api('POST', '/inventory', {
      token: admin.token,
      body: { productId: product.id, kind: 'receive', quantity: 1 }
    })
    await api('POST', '/orders', {
      token: customer.token,
      body: { items: [{ productId: product.id, quantity: 1 }] }
    })
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.equal(await counter(/api_business_events_total\{event="order_created"\} (\d+)/), ordersBefore + 1)
    assert.ok(
      (await counter(/api_realtime_events_published_total\{service="orders",event="created"\} (\d+)/)) >
        eventsBefore
    )
  })
})

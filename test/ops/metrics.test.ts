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
  })

  it('answers liveness and readiness with a database ping', async () => {
    assert.deepEqual((await api('GET', '/health/live')).body, { status: 'ok' })
    const ready = await api('GET', '/health/ready')
    assert.equal(ready.status, 200)
    assert.equal(ready.body.status, 'ok')
  })
})

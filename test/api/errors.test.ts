import assert from 'node:assert/strict'
import { api, userWithRoles } from '../helpers/server'

describe('errors: bad input gets a clear 4xx in the Feathers shape', () => {
  it('answers malformed JSON with a 400, not a 500', async () => {
    const { status, body } = await api('POST', '/users', {
      body: '{"email": ',
      headers: { 'content-type': 'application/json' }
    })
    assert.equal(status, 400)
    assert.equal(body.name, 'BadRequest')
    assert.ok(!('stack' in body))
  })

  it('answers a JSON array or scalar body with a 400', async () => {
    const admin = await userWithRoles(['admin'])
    for (const body of ['[1,2]', '"text"', '42']) {
      const response = await api('POST', '/categories', {
        token: admin.token,
        body,
        headers: { 'content-type': 'application/json' }
      })
      assert.equal(response.status, 400, body)
    }
  })

  it('answers unknown paths with a 404 in the same shape', async () => {
    const { status, body } = await api('GET', '/no-such-resource')
    assert.equal(status, 404)
    assert.deepEqual(Object.keys(body).sort(), ['className', 'code', 'message', 'name'])
  })

  it('answers methods a resource does not declare with a 405', async () => {
    const admin = await userWithRoles(['admin'])
    assert.equal((await api('PUT', '/users/1', { token: admin.token, body: {} })).status, 405)
  })

  it('never leaks database text for values the database rejects', async () => {
    const admin = await userWithRoles(['admin'])
    const { status, body } = await api('GET', '/products?createdAt[$gt]=not-a-date', { token: admin.token })
    assert.equal(status, 400)
    assert.ok(!/syntax|postgres|select/i.test(JSON.stringify(body)), JSON.stringify(body))
  })

  it('returns a request id on every response', async () => {
    const { headers } = await api('GET', '/categories', { headers: { 'x-request-id': 'trace-123' } })
    assert.equal(headers.get('x-request-id'), 'trace-123')
  })

  it('sends CORS headers only to configured origins', async () => {
    const allowed = await api('GET', '/categories', { headers: { origin: 'http://localhost:3030' } })
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'http://localhost:3030')
    const other = await api('GET', '/categories', { headers: { origin: 'https://evil.example' } })
    assert.equal(other.headers.get('access-control-allow-origin'), null)
  })
})

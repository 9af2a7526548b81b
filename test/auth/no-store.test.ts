import assert from 'node:assert/strict'
import { api, unique, userWithRoles, type ApiResponse } from '../helpers/server'
import { capturedPayment } from '../helpers/commerce'

const noStore = (what: string, response: ApiResponse, status: number) => {
  assert.equal(response.status, status, `${what}: ${JSON.stringify(response.body)}`)
  assert.equal(response.headers.get('cache-control'), 'no-store', what)
}

describe('auth: answers carrying tokens, secrets, sessions or payments are never cached', () => {
  it('sends Cache-Control: no-store on logins, refreshes, sessions, keys, users, payments and refunds', async () => {
    const customer = await userWithRoles(['customer'])
    const admin = await userWithRoles(['admin'])
    const login = await api('POST', '/authentication', {
      body: { strategy: 'local', email: customer.email, password: customer.password }
    })
    noStore('login', login, 201)
    const refresh = await api('POST', '/authentication', {
      body: { strategy: 'refresh', refreshToken: login.body.refreshToken }
    })
    noStore('refresh', refresh, 201)
    const failed = await api('POST', '/authentication', {
      body: { strategy: 'local', email: customer.email, password: 'wrong password' }
    })
    noStore('failed login', failed, 401)
    noStore('logout', await api('DELETE', '/authentication', { token: refresh.body.accessToken }), 200)
    const registration = await api('POST', '/users', {
      body: { email: `${unique('cache')}@example.com`, password: 'long enough 1', name: 'Cache' }
    })
    noStore('registration', registration, 201)
    noStore('/users/me', await api('GET', '/users/me', { token: customer.token }), 200)
    noStore('/users', await api('GET', '/users', { token: admin.token }), 200)
    noStore('/sessions', await api('GET', '/sessions', { token: customer.token }), 200)
    const key = await api('POST', '/api-keys', {
      token: admin.token,
      body: { name: unique('cache-key'), scopes: [{ resource: 'products', readOnly: true }] }
    })
    noStore('a new API key and its secret', key, 201)
    noStore('/api-keys', await api('GET', '/api-keys', { token: admin.token }), 200)
    noStore('with an API key', await api('GET', '/products', { headers: { 'x-api-key': key.body.key } }), 200)
    const { payment } = await capturedPayment(customer)
    noStore('/payments/:id', await api('GET', `/payments/${payment.id}`, { token: customer.token }), 200)
    const refund = await api('POST', '/refunds', {
      token: admin.token,
      body: { paymentId: payment.id, amountCents: 100, reason: 'cache test' }
    })
    noStore('a refund', refund, 201)
    noStore('/refunds', await api('GET', '/refunds', { token: admin.token }), 200)
    noStore('/orders', await api('GET', '/orders', { token: customer.token }), 200)
    noStore('/audit-log', await api('GET', '/audit-log', { token: admin.token }), 200)
    noStore('an error', await api('GET', '/users/me'), 401)
    noStore('an unknown path', await api('GET', `/${unique('nowhere')}`), 404)
  })

  it('leaves the caching of static assets that choose their own alone', async () => {
    const asset = await api('GET', '/docs/swagger-ui.css')
    assert.equal(asset.status, 200)
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=3600')
  })
})

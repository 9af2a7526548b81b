import assert from 'node:assert/strict'
import { api, unique, userWithRoles } from '../../../../test/helpers/server'
import { pendingOrder, stockedProduct } from '../../../../test/helpers/commerce'

const register = (body: Record<string, unknown>) => api('POST', '/users', { body })
const newUser = () => ({
  email: `${unique('reg')}@Example.com`,
  password: 'long enough secret',
  name: 'New Person'
})

describe('users: registration, login and own records (REST)', () => {
  it('registers a customer without exposing the password', async () => {
    const body = newUser()
    const { status, body: user } = await register(body)
    assert.equal(status, 201)
    assert.equal(user.email, body.email.toLowerCase(), 'emails are stored lowercased')
    assert.deepEqual(user.roles, ['customer'])
    assert.ok(!('password' in user))
    assert.ok(!JSON.stringify(user).includes('$2'), 'no hash anywhere in the response')
  })

  it('rejects a registration that sets roles with a 400 naming the field', async () => {
    const { status, body } = await register({ ...newUser(), roles: ['admin'] })
    assert.equal(status, 400)
    assert.match(body.message, /roles/)
    assert.deepEqual(body.errors, [{ field: 'roles', message: 'is read-only' }])
  })

  it('treats emails case-insensitively: a second registration is a 409 naming email', async () => {
    const body = newUser()
    assert.equal((await register(body)).status, 201)
    const again = await register({ ...body, email: body.email.toUpperCase() })
    assert.equal(again.status, 409)
    assert.equal(again.body.name, 'Conflict')
    assert.match(again.body.message, /email/)
    assert.ok(!/duplicate key|constraint/i.test(again.body.message), 'no database text')
  })

  it('validates the body and names every bad or unknown field', async () => {
    const { status, body } = await register({ email: 'not-an-email', password: 'short', nickname: 'x' })
    assert.equal(status, 400)
    const fields = body.errors.map((e: { field: string }) => e.field).sort()
    assert.deepEqual(fields, ['email', 'name', 'nickname', 'password'])
  })

  it('logs in with email and password and returns an access token and the user', async () => {
    const body = newUser()
    await register(body)
    const login = await api('POST', '/authentication', {
      body: { strategy: 'local', email: body.email.toUpperCase(), password: body.password }
    })
    assert.equal(login.status, 201)
    assert.ok(login.body.accessToken)
    assert.equal(login.body.user.email, body.email.toLowerCase())
    assert.ok(!('password' in login.body.user))
  })

  it('gives the same 401 for an unknown email and a wrong password', async () => {
    const body = newUser()
    await register(body)
    const wrong = await api('POST', '/authentication', {
      body: { strategy: 'local', email: body.email, password: 'nope nope' }
    })
    const unknown = await api('POST', '/authentication', {
      body: { strategy: 'local', email: `${unique()}@example.com`, password: 'nope nope' }
    })
    assert.equal(wrong.status, 401)
    assert.equal(unknown.status, 401)
    assert.equal(wrong.body.message, unknown.body.message)
  })

  it('lets a user see and change only their own record', async () => {
    const me = await userWithRoles(['customer'])
    const other = await userWithRoles(['customer'])
    const list = await api('GET', '/users', { token: me.token })
    assert.equal(list.status, 200)
    assert.deepEqual(
      list.body.data.map((u: { id: number }) => u.id),
      [me.id]
    )
    assert.equal((await api('GET', `/users/${other.id}`, { token: me.token })).status, 404)
    assert.equal(
      (await api('PATCH', `/users/${other.id}`, { token: me.token, body: { name: 'Hijack' } })).status,
      404
    )
    const renamed = await api('PATCH', `/users/${me.id}`, { token: me.token, body: { name: 'Renamed' } })
    assert.equal(renamed.status, 200)
    assert.equal(renamed.body.name, 'Renamed')
    const unchanged = await api('GET', `/users/${other.id}`, {
      token: (await userWithRoles(['admin'])).token
    })
    assert.equal(unchanged.body.name, 'Test User')
  })

  it('does not let a user raise their own roles, but lets an admin', async () => {
    const me = await userWithRoles(['customer'])
    const raise = await api('PATCH', `/users/${me.id}`, { token: me.token, body: { roles: ['admin'] } })
    assert.equal(raise.status, 400)
    assert.match(raise.body.message, /roles/)
    const admin = await userWithRoles(['admin'])
    const granted = await api('PATCH', `/users/${me.id}`, {
      token: admin.token,
      body: { roles: ['customer', 'support'] }
    })
    assert.equal(granted.status, 200)
    assert.deepEqual(granted.body.roles, ['customer', 'support'])
  })

  it('lets admins list every user, and asks anonymous callers to authenticate', async () => {
    const admin = await userWithRoles(['admin'])
    const list = await api('GET', '/users?$limit=100', { token: admin.token })
    assert.equal(list.status, 200)
    assert.ok(list.body.total >= 2)
    assert.ok(list.body.data.every((u: object) => !('password' in u)))
    assert.equal((await api('GET', '/users')).status, 401)
    assert.equal((await api('GET', '/users', { token: 'not-a-jwt' })).status, 401)
  })

  it('hashes a changed password and accepts it at the next login', async () => {
    const me = await userWithRoles(['customer'])
    const changed = await api('PATCH', `/users/${me.id}`, {
      token: me.token,
      body: { password: 'a brand new secret', currentPassword: me.password }
    })
    assert.equal(changed.status, 200)
    assert.ok(!('password' in changed.body))
    const login = await api('POST', '/authentication', {
      body: { strategy: 'local', email: me.email, password: 'a brand new secret' }
    })
    assert.equal(login.status, 201)
  })

  it('deletes a user with their sessions, and answers 409 for a user or product that orders still refer to', async () => {
    const admin = await userWithRoles(['admin'])
    const leaving = await userWithRoles(['customer'])
    const gone = await api('DELETE', `/users/${leaving.id}`, { token: admin.token })
    assert.equal(gone.status, 200, JSON.stringify(gone.body))
    assert.equal((await api('GET', '/users/me', { token: leaving.token })).status, 401)
    assert.equal((await api('GET', `/users/${leaving.id}`, { token: admin.token })).status, 404)

    const buyer = await userWithRoles(['customer'])
    await pendingOrder(buyer, 4321)
    const kept = await api('DELETE', `/users/${buyer.id}`, { token: admin.token })
    assert.equal(kept.status, 409, JSON.stringify(kept.body))
    assert.equal(kept.body.message, 'This users record is still referenced by orders')
    assert.equal((await api('GET', '/users/me', { token: buyer.token })).status, 200)

    const product = await stockedProduct(admin, { stock: 5 })
    const order = await api('POST', '/orders', {
      token: buyer.token,
      body: { items: [{ productId: product.id, quantity: 1 }] }
    })
    assert.equal(order.status, 201)
    const sold = await api('DELETE', `/products/${product.id}`, { token: admin.token })
    assert.equal(sold.status, 409, JSON.stringify(sold.body))
    assert.match(sold.body.message, /still referenced by order_items/)
  })
})

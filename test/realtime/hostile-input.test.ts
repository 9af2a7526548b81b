import assert from 'node:assert/strict'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { io, type Socket } from 'socket.io-client'
import { createRateLimiter, defaultRateLimits } from '../../src/auth/rate-limit'
import { testServer, unique, userWithRoles, type TestUser } from '../helpers/server'

interface Answer {
  error?: any
  result?: any
}

const sockets: Socket[] = []

/** A raw Socket.io connection (the Feathers client would refuse some of these calls itself). */
const connect = async (user?: TestUser) => {
  const { url } = await testServer()
  const socket = io(url, { transports: ['websocket'], forceNew: true })
  sockets.push(socket)
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
  if (user) {
    const login = await call(socket, 'create', 'authentication', { strategy: 'jwt', accessToken: user.token })
    assert.ok(!login.error, JSON.stringify(login.error))
  }
  return socket
}

/** `socket.emit(...args, callback)`: what the server answered, or a failure when it never does. */
const call = (socket: Socket, ...args: unknown[]) =>
  new Promise<Answer>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no answer to ${JSON.stringify(args).slice(0, 80)}`)),
      5000
    )
    socket.emit(...(args as [string]), (error: any, result: any) => {
      clearTimeout(timer)
      resolve({ error, result })
    })
  })

/** A 400 whose first error names `field`. */
const assertField = ({ error }: Answer, field: string, message?: RegExp) => {
  const shown = JSON.stringify(error)?.slice(0, 300)
  assert.equal(error?.code, 400, shown)
  assert.equal(error.errors?.[0]?.field, field, shown)
  if (message) assert.match(error.errors[0].message, message)
  assert.ok(!('stack' in error))
}

const manyKeys = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, i]))

const newUser = () => ({
  email: `${unique('sock')}@example.com`,
  password: 'correct horse battery',
  name: 'S'
})

describe('hostile input over Socket.io: the same bounds and 4xx answers as REST', () => {
  let admin: TestUser
  before(async () => {
    admin = await userWithRoles(['admin'])
  })
  after(() => sockets.splice(0).forEach((socket) => socket.close()))

  it('bounds keys, depth, arrays and strings of data and queries before validation', async () => {
    const socket = await connect()
    const delay = monitorEventLoopDelay({ resolution: 10 })
    delay.enable()
    const big = await call(socket, 'create', 'users', { ...newUser(), ...manyKeys(16_000) }, {})
    delay.disable()
    assert.ok(delay.max / 1e6 < 1000, `event loop blocked for ${Math.round(delay.max / 1e6)} ms`)
    assertField(big, '(root)', /limits\.maxKeys/)
    const statuses = Array.from({ length: 1000 }, (_, i) => `s${i}`)
    assertField(
      await call(socket, 'find', 'products', { status: { $in: statuses } }),
      'status.$in',
      /maxArrayLength/
    )
    assertField(await call(socket, 'find', 'products', manyKeys(500)), '(root)', /maxKeys/)
    assertField(
      await call(socket, 'find', 'products', { name: 'x'.repeat(70_000) }),
      'name',
      /maxStringLength/
    )
    let deep: any = 1
    for (let i = 0; i < 30; i++) deep = [deep]
    assertField(
      await call(socket, 'create', 'users', { ...newUser(), deep }, {}),
      'deep.0.0.0.0.0.0.0',
      /maxDepth/
    )
  })

  it('counts invalid registrations over sockets toward the rate limit', async () => {
    const { app } = await testServer()
    const original = app.get('rateLimiter')
    app.set(
      'rateLimiter',
      createRateLimiter({ ...defaultRateLimits, registration: { points: 2, durationSeconds: 60 } })
    )
    try {
      const socket = await connect()
      assert.equal(
        (await call(socket, 'create', 'users', { ...newUser(), ...manyKeys(500) }, {})).error.code,
        400
      )
      assert.equal((await call(socket, 'create', 'users', 'text', {})).error.code, 400)
      const third = await call(socket, 'create', 'users', newUser(), {})
      assert.equal(third.error?.code, 429, JSON.stringify(third))
    } finally {
      await app.get('rateLimiter').close()
      app.set('rateLimiter', original)
    }
  })

  it('answers data that is no JSON object with a 400 before any hook', async () => {
    const socket = await connect(admin)
    const category = await call(socket, 'create', 'categories', { name: 'Sock', slug: unique('sock') }, {})
    for (const data of [[], [{ name: 'x' }], 'text', 42, null, true]) {
      assertField(await call(socket, 'create', 'categories', data, {}), '(root)', /must be a JSON object/)
      assertField(await call(socket, 'patch', 'categories', category.result.id, data, {}), '(root)')
      assertField(await call(socket, 'create', 'users', data, {}), '(root)')
      assertField(await call(socket, 'create', 'authentication', data, {}), '(root)')
    }
  })

  it('answers NUL characters in data, keys, queries, ids and logins with a 400 naming the field', async () => {
    const socket = await connect(admin)
    assertField(await call(socket, 'create', 'users', { ...newUser(), name: 'a\u0000' }, {}), 'name', /NUL/)
    assertField(
      await call(socket, 'create', 'users', { ...newUser(), ['k\u0000']: 1 }, {}),
      'k\\u0000',
      /NUL/
    )
    assertField(
      await call(socket, 'find', 'products', { name: { $ilike: '%\u0000%' } }),
      'name.$ilike',
      /NUL/
    )
    assertField(await call(socket, 'get', 'products', '1\u0000', {}), 'id', /NUL/)
    assertField(await call(socket, 'remove', 'categories', '\u0000', {}), 'id', /NUL/)
    assertField(await call(socket, 'find', 'products', { name: 'a\ud800' }), 'name', /lone surrogate/)
    const login = { strategy: 'local', email: 'x@example.com', password: 'pass\u0000word' }
    assertField(await call(socket, 'create', 'authentication', login, {}), 'password', /NUL/)
  })

  it('refuses a __proto__ key in a query or data (Feathers would make it the query prototype)', async () => {
    const socket = await connect()
    const query = JSON.parse('{"__proto__": {"status": "draft"}}')
    assertField(await call(socket, 'find', 'products', query), '__proto__', /not allowed/)
    const data = JSON.parse(`{"email":"${unique('p')}@example.com","__proto__":{"roles":["admin"]}}`)
    assertField(await call(socket, 'create', 'users', data, {}), '__proto__', /not allowed/)
  })

  it('answers ids that are no string or number with a 400 naming id', async () => {
    const anonymous = await connect()
    assert.equal((await call(anonymous, 'remove', 'authentication', 'x', {})).error?.code, 401)
    const socket = await connect(admin)
    for (const id of [{}, [1], true]) {
      assertField(await call(socket, 'get', 'products', id, {}), 'id', /string or number/)
    }
    // Without an id the adapter answered `get` with the first record in the caller's scope.
    assertField(await call(socket, 'get', 'users', null, {}), 'id', /is required/)
    assertField(await call(socket, 'update', 'products', null, {}, {}), 'id', /is required/)
  })

  it('answers integers beyond the column range with a 400 naming the field', async () => {
    const socket = await connect(admin)
    const product = { sku: unique('S'), name: 'Range', currency: 'USD', priceCents: 2147483648 }
    assertField(await call(socket, 'create', 'products', product, {}), 'priceCents', /<= 2147483647/)
    assertField(
      await call(socket, 'find', 'products', { stock: { $lt: 2 ** 40 } }),
      'stock.$lt',
      /<= 2147483647/
    )
    assertField(await call(socket, 'get', 'products', 2147483648, {}), 'id', /at most 2147483647/)
    assertField(
      await call(socket, 'find', 'products', { priceCents: '0x10' }),
      'priceCents',
      /must be a number written in decimal/
    )
    assertField(await call(socket, 'get', 'products', '99999999999999999999', {}), 'id')
  })

  it('answers a query that is no object with a 400, not as no query or as keys 0, 1, …', async () => {
    const socket = await connect()
    // Feathers copied the query into an object: `5` listed everything, `'ab'` asked for fields `0` and `1`.
    for (const query of [5, 'ab', [], [{ status: 'active' }], true]) {
      for (const args of [
        ['find', 'products', query],
        ['get', 'products', 1, query],
        ['remove', 'products', 1, query],
        ['patch', 'products', 1, {}, query]
      ]) {
        const { error } = await call(socket, ...args)
        assert.equal(error?.code, 400, `${JSON.stringify(args)}: ${JSON.stringify(error)}`)
        assert.equal(error.message, 'Invalid query: (root) must be an object')
      }
    }
    assert.ok(!(await call(socket, 'find', 'products', null)).error, 'null stays no query')
    assert.ok(!(await call(socket, 'find', 'products')).error, 'and so does none')
  })

  it('answers Object.prototype names as service names with a 404 and as method names with a 405', async () => {
    const socket = await connect()
    const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__']
    for (const name of names) {
      for (const method of ['find', 'get', 'create']) {
        const { error } = await call(socket, method, name, ...(method === 'find' ? [{}] : [{}, {}]))
        assert.equal(error?.code, 404, `${method} on ${name}: ${JSON.stringify(error)}`)
      }
      const { error } = await call(socket, name, 'products', {})
      assert.equal(error?.code, 405, `method ${name}: ${JSON.stringify(error)}`)
      assert.ok(!('stack' in error))
    }
    assert.equal((await call(socket, 'find', { path: 'products' }, {})).error?.code, 404)
    // Socket.io reserves no `error` event on the server: it is an unknown method like any other.
    for (const event of ['error', '', 'logout']) {
      const { error } = await call(socket, event, 'products', {})
      assert.equal(error?.code, 405, `event '${event}': ${JSON.stringify(error)}`)
    }
  })
})

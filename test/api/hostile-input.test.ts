import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { request } from 'node:http'
import { connect } from 'node:net'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { createRateLimiter, defaultRateLimits } from '../../src/auth/rate-limit'
import { pendingOrder } from '../helpers/commerce'
import { baseEnv, serverScript } from '../helpers/process'
import { api, testServer, unique, userWithRoles, type ApiResponse } from '../helpers/server'

/** An object with `count` keys nobody declared (`k0`, `k1`, …). */
const manyKeys = (count: number, prefix = 'k') =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, i]))

const newUser = () => ({
  email: `${unique('hostile')}@example.com`,
  password: 'correct horse battery',
  name: 'H'
})

/** A 400 whose first error names `field`. */
const assertField = (response: Pick<ApiResponse, 'status' | 'body'>, field: string, message?: RegExp) => {
  const shown = JSON.stringify(response.body).slice(0, 300)
  assert.equal(response.status, 400, shown)
  assert.equal(response.body.name, 'BadRequest')
  assert.equal(response.body.errors?.[0]?.field, field, shown)
  if (message) assert.match(response.body.errors[0].message, message)
}

/** A raw request: a body with exactly the headers given (fetch would add a Content-Type). */
const raw = async (method: string, path: string, body: string | Buffer, headers: Record<string, string>) => {
  const { port } = await testServer()
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = ''
      res.on('data', (chunk) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

describe('hostile input: bounded before validation, a 4xx naming the field or rule (REST)', () => {
  it('keeps the event loop responsive while bodies with thousands of unknown keys arrive', async () => {
    await testServer()
    const delay = monitorEventLoopDelay({ resolution: 10 })
    delay.enable()
    // 16,000 unknown keys cost seconds of blocked event loop each when validation saw them all.
    const big = JSON.stringify({ ...newUser(), ...manyKeys(16_000) })
    const answers = await Promise.all([
      ...[1, 2, 3].map(() => api('POST', '/users', { body: big })),
      api('GET', '/health/live')
    ])
    delay.disable()
    // A generous bound: the old code blocked for seconds on each body.
    assert.ok(delay.max / 1e6 < 1000, `event loop blocked for ${Math.round(delay.max / 1e6)} ms`)
    for (const answer of answers.slice(0, 3)) {
      assertField(answer, '(root)', /more than 100 keys \(limits\.maxKeys\)/)
      assert.equal(answer.body.data.limit, 'maxKeys')
    }
    assert.equal(answers[3].status, 200)
  })

  it('bounds depth, keys in all, array length and string size, naming the limit', async () => {
    const admin = await userWithRoles(['admin'])
    let deep: any = 'x'
    for (let i = 0; i < 20; i++) deep = { a: deep }
    assertField(
      await api('POST', '/users', { body: { ...newUser(), deep } }),
      'deep.a.a.a.a.a.a.a',
      /maxDepth/
    )
    const spread = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`o${i}`, manyKeys(60)]))
    assertField(await api('POST', '/users', { body: spread }), '(root)', /limits\.maxTotalKeys/)
    const grid = Array.from({ length: 40 }, () => Array.from({ length: 40 }, () => 1))
    assertField(await api('POST', '/users', { body: { ...newUser(), grid } }), '(root)', /items in all/)
    const items = Array.from({ length: 1000 }, () => ({ productId: 1, quantity: 1 }))
    assertField(
      await api('POST', '/orders', { token: admin.token, body: { items } }),
      'items',
      /maxArrayLength/
    )
    const long = 'x'.repeat(70_000)
    assertField(
      await api('POST', '/users', { body: { ...newUser(), name: long } }),
      'name',
      /maxStringLength/
    )
  })

  it('applies the configured limits, and refuses to start on invalid ones', async () => {
    const { app } = await testServer()
    const configured = app.get('limits')
    app.set('limits', { ...configured, maxKeys: 2 })
    try {
      assertField(await api('POST', '/users', { body: newUser() }), '(root)', /more than 2 keys/)
    } finally {
      app.set('limits', configured)
    }
    const started = spawnSync(process.execPath, serverScript('src/index.ts'), {
      env: { ...baseEnv(), INPUT_LIMITS: '{"maxKeys":"many","maxDepth":1}' },
      encoding: 'utf8',
      timeout: 60_000
    })
    assert.equal(started.status, 1)
    assert.match(started.stderr, /Invalid configuration[\s\S]*limits\.maxDepth/)
  })

  it('counts every registration attempt toward the rate limit, invalid ones too', async () => {
    const { app } = await testServer()
    const original = app.get('rateLimiter')
    app.set(
      'rateLimiter',
      createRateLimiter({ ...defaultRateLimits, registration: { points: 3, durationSeconds: 60 } })
    )
    try {
      assert.equal((await api('POST', '/users', { body: { ...newUser(), ...manyKeys(500) } })).status, 400)
      assert.equal((await api('POST', '/users', { body: { email: 'not an email' } })).status, 400)
      assert.equal((await api('POST', '/users', { body: [] })).status, 400)
      const fourth = await api('POST', '/users', { body: newUser() })
      assert.equal(fourth.status, 429, JSON.stringify(fourth.body))
      assert.match(fourth.body.message, /Too many registrations from this address/)
    } finally {
      await app.get('rateLimiter').close()
      app.set('rateLimiter', original)
    }
  })

  it('answers every body that is no JSON object with one 400 before any hook, on every write route', async () => {
    const admin = await userWithRoles(['admin'])
    const customer = await userWithRoles(['customer'])
    const order = await pendingOrder(customer)
    const category = await api('POST', '/categories', {
      token: admin.token,
      body: { name: 'Hostile', slug: unique('hostile') }
    })
    const routes: [string, string, string][] = [
      ['POST', '/users', ''],
      ['POST', '/api-keys', admin.token],
      ['POST', '/refunds', admin.token],
      ['POST', '/categories', admin.token],
      ['PATCH', `/categories/${category.body.id}`, admin.token],
      ['PATCH', '/products/1', admin.token],
      ['PATCH', `/users/${customer.id}`, admin.token],
      ['PATCH', '/users/me', customer.token],
      ['PATCH', `/orders/${order.id}`, customer.token],
      ['POST', '/authentication', '']
    ]
    for (const [method, path, token] of routes) {
      for (const body of ['[]', '[{"name":"x"}]', '"text"', '42', 'null', 'true']) {
        const response = await api(method, path, { body, token: token || undefined })
        assertField(response, '(root)', /must be a JSON object/)
      }
    }
    const after = await api('GET', `/orders/${order.id}`, { token: customer.token })
    assert.equal(after.body.version, order.version, 'a refused body changes nothing')
  })

  it('answers NUL characters in bodies, keys, queries and logins with a 400 naming the field', async () => {
    const admin = await userWithRoles(['admin'])
    assertField(await api('POST', '/users', { body: { ...newUser(), name: 'a\u0000b' } }), 'name', /NUL/)
    assertField(await api('POST', '/users', { body: { ...newUser(), 'x\u0000': 1 } }), 'x\\u0000', /NUL/)
    const address = { name: 'A', line1: 'Main\u0000 St', city: 'Seoul', postalCode: '1', country: 'KR' }
    const nested = await api('POST', '/orders', {
      token: admin.token,
      body: { items: [{ productId: 1, quantity: 1 }], shippingAddress: address }
    })
    assertField(nested, 'shippingAddress.line1', /NUL/)
    assertField(await api('GET', '/products?name=a%00b'), 'name', /NUL/)
    assertField(await api('GET', '/products?status[$in]=active&status[$in]=%00'), 'status.$in.1', /NUL/)
    assertField(await api('GET', '/products?%00=1'), '\\u0000', /NUL/)
    const login = { strategy: 'local', email: 'a\u0000@example.com', password: 'x' }
    assertField(await api('POST', '/authentication', { body: login }), 'email', /NUL/)
    assertField(
      await api('POST', '/authentication', { body: { strategy: 'refresh', refreshToken: 'a\u0000' } }),
      'refreshToken',
      /NUL/
    )
  })

  it('answers lone UTF-16 surrogates (no UTF-8 form) with a 400 naming the field, not silent U+FFFD or a 400 without a field', async () => {
    const admin = await userWithRoles(['admin'])
    const body = `{"email":"${unique('u')}@example.com","password":"correct horse battery","name":"A\\ud800"}`
    assertField(await api('POST', '/users', { body }), 'name', /lone surrogate/)
    const order = '{"items":[{"productId":1,"quantity":1}],"shippingAddress":{"name":"\\udc00","line1":"a"}}'
    assertField(
      await api('POST', '/orders', { token: admin.token, body: order }),
      'shippingAddress.name',
      /Unicode/
    )
  })

  it('answers Object.prototype names as paths with a 404, never a 500', async () => {
    for (const name of [
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'valueOf',
      '__defineGetter__'
    ]) {
      for (const path of [`/${name}`, `/${name}/1`, `/products/${name}`, `/products/1/${name}`]) {
        for (const method of ['GET', 'POST', 'PATCH', 'DELETE']) {
          const response = await api(method, path, method === 'GET' ? {} : { body: {} })
          // Unknown paths are 404s; a record path of a real resource may first ask for a login.
          assert.ok([401, 404, 405].includes(response.status), `${method} ${path}: ${response.status}`)
        }
      }
    }
  })

  it('answers query keys the query parser would drop (Object.prototype names, parameters past 1000) with a 400', async () => {
    // Dropped unseen, `?toString=1` listed every row while `?colour=1` was a 400.
    for (const [query, field] of [
      ['toString=1', 'toString'],
      ['hasOwnProperty=x', 'hasOwnProperty'],
      ['$sort[constructor]=1', '$sort.constructor'],
      ['status[$in][valueOf]=active', 'status.$in.valueOf'],
      ['__proto__[status]=active', '__proto__'],
      ['constructor%5Bprototype%5D%5Bx%5D=1', 'constructor']
    ]) {
      assertField(await api('GET', `/products?${query}`), field, /is not allowed/)
    }
    const customer = await userWithRoles(['customer'])
    assertField(await api('DELETE', '/sessions/1?toString=1', { token: customer.token }), 'toString')
    const many = Array.from({ length: 1001 }, () => 'status=active').join('&')
    const tooMany = await api('GET', `/products?${many}`)
    assertField(tooMany, '(root)', /more than 1000 parameters \(limits\.maxTotalKeys\)/)
    assert.equal(tooMany.body.data.limit, 'maxTotalKeys')
    // Names that are no Object.prototype member stay the validator's business; other paths are untouched.
    assertField(await api('GET', '/products?colour=1'), 'colour', /not a known query field/)
    assert.equal((await api('GET', '/health/live?toString=1')).status, 200)
  })

  it('answers integers beyond the column range with a 400 naming the field, in bodies, queries and ids', async () => {
    const admin = await userWithRoles(['admin'])
    const product = { sku: unique('R'), name: 'Range', currency: 'USD' }
    for (const priceCents of [2147483648, 2 ** 53 + 2, 1e300]) {
      const response = await api('POST', '/products', {
        token: admin.token,
        body: { ...product, priceCents }
      })
      assertField(response, 'priceCents', /must be <= 2147483647/)
    }
    const ref = await api('POST', '/products', {
      token: admin.token,
      body: { ...product, priceCents: 1, categoryId: 2147483648 }
    })
    assertField(ref, 'categoryId', /must be <= 2147483647/)
    assertField(await api('GET', '/products?priceCents[$gt]=2147483648'), 'priceCents.$gt', /<= 2147483647/)
    assertField(await api('GET', '/products?stock=-2147483649'), 'stock', />= -2147483648/)
    assertField(await api('GET', '/products?categoryId=99999999999999999999'), 'categoryId', /<= 2147483647/)
    assertField(await api('GET', '/products/2147483648'), 'id', /at most 2147483647/)
    assertField(await api('PATCH', '/orders/99999999999', { token: admin.token, body: {} }), 'id')
    assertField(await api('GET', '/products?$skip=99999999999'), '$skip', /<= 2147483647/)
    assertField(await api('GET', '/products?$limit=-1'), '$limit', />= 0/)
    assert.equal((await api('GET', '/products/abc')).status, 404, 'a malformed id stays a 404')
  })

  it('answers query numbers not written in decimal with a 400 naming the field, not as what Number() makes of them', async () => {
    // The validator's coercion read ' ' as 0 (an empty page), '0x10' as 16 and ' 5 ' as 5.
    for (const [query, field] of [
      ['$limit=%20', '$limit'],
      ['$skip=0x10', '$skip'],
      ['priceCents=%205%20', 'priceCents'],
      ['priceCents[$gt]=0b1', 'priceCents.$gt'],
      ['priceCents[$in][]=1&priceCents[$in][]=.5e1', 'priceCents.$in.1'],
      ['$sort[name]=+1', '$sort.name']
    ]) {
      assertField(await api('GET', `/products?${query}`), field, /must be a number written in decimal/)
    }
    for (const query of [
      '$limit=2',
      'priceCents=-0',
      'priceCents[$lt]=1e9',
      '$sort[name]=-1',
      'status=active'
    ]) {
      assert.equal((await api('GET', `/products?${query}`)).status, 200, query)
    }
  })

  it('answers date-times PostgreSQL cannot store (year 0000) with a 400 naming the field', async () => {
    const admin = await userWithRoles(['admin'])
    assertField(await api('GET', '/products?createdAt[$gt]=0000-01-01T00:00:00Z'), 'createdAt.$gt')
    const key = { name: 'Year zero', scopes: [{ resource: 'products' }], expiresAt: '0000-06-01T00:00:00Z' }
    assertField(await api('POST', '/api-keys', { token: admin.token, body: key }), 'expiresAt')
  })

  it('answers Object.prototype names as body keys as unknown fields, not as read-only ones', async () => {
    const customer = await userWithRoles(['customer'])
    // The field policy looked them up as declared fields and found Object.prototype's members.
    for (const name of ['toString', 'constructor', 'hasOwnProperty', 'valueOf']) {
      const body = { items: [{ productId: 1, quantity: 1 }], [name]: 1 }
      assertField(await api('POST', '/orders', { token: customer.token, body }), name, /is not a known field/)
      const me = await api('PATCH', '/users/me', { token: customer.token, body: { [name]: 'x' } })
      assertField(me, name, /is not a known field/)
    }
  })

  it('refuses __proto__ keys anywhere in a body with a 400 naming them', async () => {
    const body = `{"email":"${unique('p')}@example.com","password":"correct horse battery","name":"P",`
    assertField(await api('POST', '/users', { body: `${body}"__proto__":{"roles":["admin"]}}` }), '__proto__')
    const nested = `{"items":[{"productId":1,"quantity":1,"__proto__":{"x":1}}]}`
    const admin = await userWithRoles(['admin'])
    // The body parser refuses it wherever it is, before the path is known.
    assertField(await api('POST', '/orders', { token: admin.token, body: nested }), '__proto__')
  })

  it('declares the integer ranges in /openapi.json and /declarations.json, queries included', async () => {
    const openapi = (await api('GET', '/openapi.json')).body
    const data = Object.values<any>(openapi.components.schemas).find((schema) =>
      schema.description?.startsWith('The body of create and update on /products.')
    ).properties
    assert.equal(data.priceCents.maximum, 2147483647)
    assert.equal(data.priceCents.minimum, 0)
    const declared = (await api('GET', '/declarations.json')).body
    const products = declared.resources.find((resource: any) => resource.name === 'products')
    assert.equal(products.schemas.data.properties.priceCents.maximum, 2147483647)
    assert.equal(products.schemas.result.properties.id.maximum, 2147483647)
    const { app } = await testServer()
    const query = app.get('schemas').products.query as any
    assert.equal(query.properties.stock.anyOf[0].minimum, -2147483648)
    assert.equal(query.properties.stock.anyOf[0].maximum, 2147483647)
  })

  it('answers POST to a record with a 405 on every resource and creates nothing', async () => {
    const { app } = await testServer()
    const admin = await userWithRoles(['admin'])
    for (const { path } of app.get('resources')) {
      const before = await app.service(path as any).find({ paginate: false } as any)
      const response = await api('POST', `/${path}/1`, { token: admin.token, body: { name: 'x' } })
      assert.equal(response.status, 405, `POST /${path}/1: ${JSON.stringify(response.body)}`)
      const after = await app.service(path as any).find({ paginate: false } as any)
      assert.equal(after.length, before.length, `POST /${path}/1 created nothing`)
    }
  })

  it('answers a body that is not JSON with a 415 saying what to send', async () => {
    const json = JSON.stringify(newUser())
    for (const headers of <Record<string, string>[]>[
      { 'content-type': 'application/x-www-form-urlencoded' },
      { 'content-type': 'text/plain' },
      { 'content-type': 'multipart/form-data; boundary=x' },
      {}
    ]) {
      for (const [method, path] of [
        ['POST', '/users'],
        ['PATCH', '/users/me'],
        ['POST', '/authentication']
      ]) {
        const response = await raw(method, path, json, { ...headers, 'content-length': String(json.length) })
        assert.equal(response.status, 415, `${method} ${path} ${JSON.stringify(headers)}`)
        assert.match(response.body.message, /Content-Type: application\/json/)
      }
    }
    const ok = await raw('POST', '/users', json, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(json.length)
    })
    assert.equal(ok.status, 201)
  })

  it('answers JSON declared in another charset than UTF-8 with a 415 naming the charset', async () => {
    const json = JSON.stringify(newUser())
    // Read as UTF-8 regardless: UTF-16 failed to parse without a cause, Latin-1 accents became U+FFFD.
    for (const [charset, body] of [
      ['utf-16le', Buffer.from(json, 'utf16le')],
      ['UTF-16', Buffer.from(json, 'utf16le')],
      ['iso-8859-1', Buffer.from(json, 'latin1')]
    ] as const) {
      const response = await raw('POST', '/users', body, {
        'content-type': `application/json; charset=${charset}`,
        'content-length': String(body.length)
      })
      assert.equal(response.status, 415, charset)
      assert.equal(
        response.body.message,
        `The request body must be JSON, encoded as UTF-8 (got charset=${charset})`
      )
    }
    for (const charset of ['UTF-8', 'utf8', 'us-ascii']) {
      const body = JSON.stringify(newUser())
      const response = await raw('POST', '/users', body, {
        'content-type': `application/json; charset=${charset}`,
        'content-length': String(body.length)
      })
      assert.equal(response.status, 201, charset)
    }
  })

  it('answers a logout with a token in the path but no login with a 401, not a 500', async () => {
    for (const path of ['/authentication/x', '/authentication/null', `/authentication/${'t'.repeat(2000)}`]) {
      const response = await api('DELETE', path)
      assert.equal(response.status, 401, `${path.slice(0, 40)}: ${JSON.stringify(response.body)}`)
    }
  })

  it('answers bodies that are not valid UTF-8 with a 400 saying so, not U+FFFD stored in their place', async () => {
    const user = await userWithRoles(['customer'])
    const send = (bytes: Buffer) =>
      raw('PATCH', '/users/me', bytes, {
        authorization: `Bearer ${user.token}`,
        'content-type': 'application/json',
        'content-length': String(bytes.length)
      })
    const json = (...parts: (string | number[])[]) =>
      Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))))
    // A stray byte, a truncated sequence, an overlong encoding, a UTF-8-encoded surrogate.
    for (const bytes of [[0xff], [0xc3], [0xc0, 0xaf], [0xed, 0xa0, 0x80]]) {
      const response = await send(json('{"name":"a', bytes, 'b"}'))
      assertField(response, '(root)', /is not valid UTF-8/)
    }
    // Real characters, U+FFFD itself and a byte order mark are UTF-8.
    const ok = await send(json([0xef, 0xbb, 0xbf], '{"name":"Zoë \u{1F600} \uFFFD"}'))
    assert.equal(ok.status, 200, JSON.stringify(ok.body))
    assert.equal(ok.body.name, 'Zoë \u{1F600} \uFFFD')
  })

  it('answers requests the HTTP parser refuses in the error shape, saying what was wrong', async () => {
    const { port } = await testServer()
    const send = (text: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => socket.end(text))
        let answer = ''
        socket.on('data', (chunk) => (answer += chunk))
        socket.on('error', () => {})
        socket.on('close', () => resolve(answer))
      })
    const body = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))
    // Node answered these with a bare status line and no body.
    const long = await send(`GET /products?q=${'x'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`)
    assert.match(long, /^HTTP\/1\.1 431 /)
    assert.match(long, /content-type: application\/json/i)
    assert.deepEqual(body(long), {
      name: 'RequestHeaderFieldsTooLarge',
      message: 'The request line and headers are too large (at most 16 KB together)',
      code: 431,
      className: 'request-header-fields-too-large'
    })
    for (const malformed of [
      'GET /products HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n',
      'GET /products/a b HTTP/1.1\r\nHost: x\r\n\r\n',
      'POST /users HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}x'
    ]) {
      const answer = await send(malformed)
      assert.match(answer, /^HTTP\/1\.1 400 /, JSON.stringify(malformed))
      assert.equal(body(answer).name, 'BadRequest')
      assert.match(body(answer).message, /^Malformed HTTP request \(HPE_\w+\)$/)
    }
  })

  it('answers hostile headers with a 400 or ignores them, never a 5xx', async () => {
    const admin = await userWithRoles(['admin'])
    const huge = await api('POST', '/orders', {
      token: admin.token,
      body: { items: [{ productId: 1, quantity: 1 }] },
      headers: { 'idempotency-key': 'k'.repeat(5000) }
    })
    assert.equal(huge.status, 400)
    assert.equal(huge.body.errors[0].field, 'Idempotency-Key')
    const id = await api('GET', '/health/live', { headers: { 'x-request-id': 'r'.repeat(5000) } })
    assert.equal(id.status, 200)
    assert.notEqual(id.headers.get('x-request-id'), 'r'.repeat(5000), 'an oversized request id is replaced')
    const match = await api('PATCH', '/products/1', {
      token: admin.token,
      body: {},
      headers: { 'if-match': 'x'.repeat(5000) }
    })
    assert.equal(match.status, 400)
  })
})

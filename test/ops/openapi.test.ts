import assert from 'node:assert/strict'
import { Validator } from '@seriousme/openapi-schema-validator'
import { dataValidator } from '../../src/engine/validators'
import pkg from '../../package.json'
import { pendingOrder } from '../helpers/commerce'
import { api, testServer, unique, userWithRoles } from '../helpers/server'
import { providerFor } from '../../src/contexts/payments/provider'

/** The JSON schema of one documented response, its `$ref`s left for ajv to resolve in `components`. */
const responseSchema = (document: any, path: string, method: string, status: number) => {
  let response = document.paths[path]?.[method]?.responses?.[status]
  assert.ok(response, `${method.toUpperCase()} ${path} documents a ${status}`)
  if (response.$ref) response = document.components.responses[response.$ref.split('/').pop()]
  return response.content['application/json'].schema
}

/** Checks a live body against the document, as a client generated from it would expect it. */
const assertMatches = (document: any, path: string, method: string, status: number, body: unknown) => {
  const validate = dataValidator.compile({
    ...responseSchema(document, path, method, status),
    components: document.components
  })
  assert.ok(
    validate(body),
    `${method.toUpperCase()} ${path} ${status}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(body)}`
  )
}

describe('ops: OpenAPI document and API docs page', () => {
  let document: any

  before(async () => {
    const response = await api('GET', '/openapi.json')
    assert.equal(response.status, 200)
    assert.match(response.headers.get('content-type')!, /application\/json/)
    document = response.body
  })

  it('serves a valid OpenAPI document of the running API at /openapi.json', async () => {
    const result = await new Validator().validate(document)
    assert.equal(result.valid, true, JSON.stringify(result.errors))
    assert.equal(document.info.version, pkg.version)
    const { app } = await testServer()
    for (const resource of app.get('resources'))
      if (Object.values(resource.access).some((access) => Object.keys(access).length))
        assert.ok(
          document.paths[`/${resource.path}`] || document.paths[`/${resource.path}/{id}`],
          resource.name
        )
  })

  it('serves Swagger UI at /docs from this server, under a CSP without unsafe-inline', async () => {
    const page = await api('GET', '/docs')
    assert.equal(page.status, 200)
    assert.match(page.headers.get('content-type')!, /text\/html/)
    const csp = page.headers.get('content-security-policy')!
    assert.match(csp, /script-src 'self'/)
    assert.match(csp, /default-src 'none'/)
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/)
    const html: string = page.body
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script')
    assert.doesNotMatch(html, /\bstyle=|<style/, 'no inline style')
    assert.doesNotMatch(html, /https?:\/\//, 'nothing from another origin')
    const assets = [...html.matchAll(/(?:src|href)="(\/docs\/[^"]+)"/g)].map((match) => match[1])
    assert.ok(assets.includes('/docs/swagger-ui-bundle.js'))
    assert.ok(assets.includes('/docs/initializer.js'))
    assert.ok(assets.includes('/docs/swagger-ui.css'))
    for (const asset of assets) {
      const response = await api('GET', asset)
      assert.equal(response.status, 200, asset)
      assert.ok(response.headers.get('content-security-policy'), `${asset} has the CSP`)
      const type = response.headers.get('content-type')!
      if (asset.endsWith('.js')) assert.match(type, /javascript/, asset)
      if (asset.endsWith('.css')) assert.match(type, /text\/css/, asset)
    }
    const initializer = await api('GET', '/docs/initializer.js')
    assert.match(initializer.body, /url: '\/openapi.json'/)
  })

  it('serves only the listed Swagger UI files', async () => {
    assert.equal((await api('GET', '/docs/package.json')).status, 404)
    assert.equal((await api('GET', '/docs/swagger-ui-bundle.js.map')).status, 404)
    assert.equal((await api('GET', '/docs/..%2Fpackage.json')).status, 404)
  })

  describe('checked against live responses', () => {
    let productId: number

    before(async () => {
      const catalog = await userWithRoles(['catalog'])
      const created = await api('POST', '/products', {
        token: catalog.token,
        body: {
          sku: unique('OAS'),
          name: 'Documented widget',
          priceCents: 990,
          currency: 'EUR',
          status: 'active'
        }
      })
      assert.equal(created.status, 201)
      productId = created.body.id
    })

    it('GET /products and GET /products/{id} answer the documented shapes', async () => {
      const list = await api('GET', '/products?$limit=5&$sort[createdAt]=-1')
      assert.equal(list.status, 200)
      assert.ok(list.body.data.length > 0)
      assertMatches(document, '/products', 'get', 200, list.body)
      const one = await api('GET', `/products/${productId}`)
      assert.equal(one.status, 200)
      assert.equal(one.body.description, null, 'a nullable field, as documented')
      assertMatches(document, '/products/{id}', 'get', 200, one.body)
    })

    it('POST /users answers the documented user record, without its password', async () => {
      const created = await api('POST', '/users', {
        body: { email: `${unique('oas')}@example.com`, password: 'correct horse battery', name: 'Documented' }
      })
      assert.equal(created.status, 201)
      assert.ok(!('password' in created.body))
      assertMatches(document, '/users', 'post', 201, created.body)
    })

    it('errors (400, 404, 401) answer the documented error shape', async () => {
      const invalid = await api('POST', '/users', { body: { email: 'not an email', name: '' } })
      assert.equal(invalid.status, 400)
      assert.ok(invalid.body.errors.length > 0)
      assertMatches(document, '/users', 'post', 400, invalid.body)
      const badQuery = await api('GET', '/products?colour=red')
      assert.equal(badQuery.status, 400)
      assertMatches(document, '/products', 'get', 400, badQuery.body)
      const missing = await api('GET', '/products/999999999')
      assert.equal(missing.status, 404)
      assertMatches(document, '/products/{id}', 'get', 404, missing.body)
      const anonymous = await api('GET', '/users/me')
      assert.equal(anonymous.status, 401)
      assertMatches(document, '/users/me', 'get', 401, anonymous.body)
    })

    it('orders answer with their lines, as documented, on create, get and find', async () => {
      const customer = await userWithRoles(['customer'])
      const order = await pendingOrder(customer)
      assert.equal(order.items.length, 1)
      assertMatches(document, '/orders', 'post', 201, order)
      const one = await api('GET', `/orders/${order.id}`, { token: customer.token })
      assertMatches(document, '/orders/{id}', 'get', 200, one.body)
      const page = await api('GET', '/orders?$limit=5', { token: customer.token })
      assertMatches(document, '/orders', 'get', 200, page.body)
      const missing = await api('POST', '/orders', { token: customer.token, body: { note: 'no lines' } })
      assert.equal(missing.status, 400)
      assert.deepEqual(missing.body.errors, [{ field: 'items', message: 'is required' }])
      assert.ok(document.components.schemas.OrderData.required.includes('items'), 'and the document says so')
    })

    it("an API key's create answer carries its one-time key, as documented; a listed key does not", async () => {
      const admin = await userWithRoles(['admin'])
      const created = await api('POST', '/api-keys', {
        token: admin.token,
        body: { name: unique('documented'), scopes: [{ resource: 'products', methods: ['find'] }] }
      })
      assert.equal(created.status, 201)
      assert.match(created.body.key, /^iak_/)
      assertMatches(document, '/api-keys', 'post', 201, created.body)
      const listed = await api('GET', `/api-keys/${created.body.id}`, { token: admin.token })
      assert.equal(listed.body.key, undefined)
      assertMatches(document, '/api-keys/{id}', 'get', 200, listed.body)
    })

    it('documents exactly the payment methods the running provider accepts, and servers', async () => {
      const { app } = await testServer()
      const methods = document.components.schemas.PaymentData.properties.paymentMethod.enum
      assert.deepEqual(methods, [...providerFor(app).acceptedMethods!])
      const customer = await userWithRoles(['customer'])
      const order = await pendingOrder(customer)
      const refused = await api('POST', '/payments', {
        token: customer.token,
        body: { orderId: order.id, paymentMethod: 'cash' }
      })
      assert.equal(refused.status, 400)
      assert.equal(refused.body.errors[0].field, 'paymentMethod')
      assert.deepEqual(document.servers, [
        { url: '/', description: 'This server: the origin /openapi.json was fetched from' }
      ])
      assert.equal(document.info.license.name, pkg.license)
    })

    it('the schemas are strict enough to catch a wrong body', () => {
      const validate = dataValidator.compile({
        ...responseSchema(document, '/products/{id}', 'get', 200),
        components: document.components
      })
      assert.equal(validate({ id: productId }), false, 'required fields are checked')
      assert.equal(
        validate({
          id: 1,
          sku: 'A',
          name: 'n',
          description: null,
          priceCents: 1,
          currency: 'GBP',
          categoryId: null,
          status: 'active',
          stock: 0,
          createdAt: 'yesterday',
          updatedAt: new Date().toISOString()
        }),
        false
      )
      assert.ok(validate.errors!.some((error) => error.instancePath === '/currency'))
      assert.ok(
        validate.errors!.some((error) => error.instancePath === '/createdAt'),
        'date-time format'
      )
    })
  })
})

import assert from 'node:assert/strict'
import { validate } from '../../../ui/src/lib/validate'
import { api, unique, userWithRoles } from '../../helpers/server'
import type { ClientModel } from '../../../src/engine/generators/client-model'

// The UI validates forms with the server's own schemas before sending. These bodies go both ways: the browser's
// validator must name the same fields the server's 400 names.
describe('ui/lib/validate: the same rules as the server', () => {
  let model: ClientModel
  let token: string

  before(async () => {
    model = (await api('GET', '/declarations.json')).body
    token = (await userWithRoles(['admin'])).token
  })

  const schema = (name: string, kind: 'data' | 'patch') =>
    model.resources.find((resource) => resource.name === name)!.schemas[kind]

  const cases: [string, Record<string, unknown>][] = [
    ['a missing required field', { name: 'Lamp', priceCents: 100, currency: 'KRW' }],
    ['a pattern', { sku: 'bad sku!', name: 'Lamp', priceCents: 100, currency: 'KRW' }],
    ['a minimum', { sku: unique('sku'), name: 'Lamp', priceCents: -1, currency: 'KRW' }],
    ['an enum', { sku: unique('sku'), name: 'Lamp', priceCents: 1, currency: 'GBP' }],
    ['a length', { sku: unique('sku'), name: '', priceCents: 1, currency: 'KRW' }],
    ['an unknown field', { sku: unique('sku'), name: 'Lamp', priceCents: 1, currency: 'KRW', colour: 'red' }],
    ['several at once', { sku: 'x y', priceCents: 1.5, currency: 'GBP' }]
  ]

  for (const [rule, body] of cases) {
    it(`names the fields the server names: ${rule}`, async () => {
      const response = await api('POST', '/products', { token, body })
      assert.equal(response.status, 400, JSON.stringify(response.body))
      const serverFields = response.body.errors.map((error: { field: string }) => error.field).sort()
      const browser = validate(schema('products', 'data'), body)
      assert.ok(browser, 'the browser refuses it too')
      assert.deepEqual(Object.keys(browser.fields).sort(), serverFields)
    })
  }

  it('names nested fields with the server’s dotted paths', async () => {
    const body = {
      items: [{ productId: 1, quantity: 0 }],
      shippingAddress: { line1: 'x', city: 'y', country: 'kr' }
    }
    const customer = await userWithRoles(['customer'])
    const response = await api('POST', '/orders', { token: customer.token, body })
    assert.equal(response.status, 400)
    const serverFields = response.body.errors.map((error: { field: string }) => error.field).sort()
    assert.deepEqual(Object.keys(validate(schema('orders', 'data'), body)!.fields).sort(), serverFields)
  })

  it('passes a body the server accepts', async () => {
    const body = { sku: unique('sku'), name: 'Lamp', priceCents: 100, currency: 'KRW' }
    assert.equal(validate(schema('products', 'data'), body), null)
    assert.equal((await api('POST', '/products', { token, body })).status, 201)
  })
})

import assert from 'node:assert/strict'
import { api } from '../../helpers/server'
import type { ClientModel } from '../../../src/engine/generators/client-model'

describe('engine: the declarations as clients see them (GET /declarations.json)', () => {
  let model: ClientModel
  const resource = (name: string) => model.resources.find((entry) => entry.name === name)!

  before(async () => {
    const response = await api('GET', '/declarations.json')
    assert.equal(response.status, 200)
    model = response.body
  })

  it('lists every declared resource with its fields, query options and realtime flag', () => {
    const names = model.resources.map((entry) => entry.name)
    for (const name of [
      'users',
      'products',
      'orders',
      'payments',
      'refunds',
      'inventory',
      'api-keys',
      'audit-log'
    ])
      assert.ok(names.includes(name), name)
    assert.deepEqual(resource('products').fields.status.values, ['draft', 'active', 'archived'])
    assert.equal(resource('products').fields.stock.readonly, true)
    assert.equal(resource('products').fields.id.managed, true)
    assert.equal(resource('products').fields.categoryId.to, 'categories')
    assert.ok(resource('products').query.filter.includes('name'))
    assert.ok(resource('products').fields.name.operators?.includes('$ilike'), 'a search field')
    assert.ok(!resource('products').fields.sku.operators?.includes('$ilike'))
    assert.deepEqual(resource('products').fields.description.operators, undefined, 'not filterable')
  })

  it('keeps hidden fields out of the result schema and marks them', () => {
    const users = resource('users')
    assert.equal(users.fields.password.hidden, true)
    assert.equal((users.schemas.result as any).properties.password, undefined)
    assert.ok((users.schemas.data as any).properties.password, 'a new user is created with a password')
    assert.equal((resource('sessions').schemas.result as any).properties.refreshSalt, undefined)
  })

  it('names who may call each method and which fields they write, but no row conditions', () => {
    const products = resource('products')
    assert.deepEqual(Object.keys(products.access.find).sort(), ['admin', 'catalog', 'public', 'support'])
    assert.deepEqual(products.access.find.public, {})
    assert.doesNotMatch(JSON.stringify(model), /"where"/)
    assert.deepEqual(resource('orders').access.create.customer.fields, ['items', 'shippingAddress', 'note'])
    assert.deepEqual(resource('payments').access.update, {})
  })

  it('describes the order state machine, system transitions included', () => {
    const { states } = resource('orders')
    assert.equal(states?.field, 'status')
    assert.deepEqual(states?.transitions.ship.roles, ['admin'])
    assert.equal(states?.transitions.pay.system, true)
  })

  it('names the payment provider and the methods a checkout may offer', () => {
    assert.equal(model.payments.provider, 'simulated')
    assert.deepEqual(model.payments.methods, ['sim_succeed', 'sim_fail', 'sim_async', 'sim_timeout'])
  })
})

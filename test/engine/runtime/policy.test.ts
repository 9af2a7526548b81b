import assert from 'node:assert/strict'
import { loadDeclarations } from '../../../src/engine/declarations/load'
import { channelsFor, decideAccess, defaultWritableFields } from '../../../src/engine/runtime/policy'
import { domain } from '../../../src/contexts'

const declarations = loadDeclarations('src/contexts', domain)
const byName = (name: string) => declarations.find((d) => d.name === name)!
const [categories, products, users] = ['categories', 'products', 'users'].map(byName)
const admin = { id: 1, roles: ['admin'] }
const customer = { id: 7, roles: ['customer'] }

describe('engine/policy: the declared access rules', () => {
  it('scopes anonymous product reads to active products and lets admins see all', () => {
    assert.deepEqual(decideAccess(products, 'find', undefined), {
      allowed: true,
      scope: [{ status: 'active' }]
    })
    assert.deepEqual(decideAccess(products, 'get', customer), {
      allowed: true,
      scope: [{ status: 'active' }]
    })
    assert.deepEqual(decideAccess(products, 'find', admin), { allowed: true, scope: null })
  })

  it('asks anonymous callers to authenticate and forbids customers', () => {
    assert.deepEqual(decideAccess(products, 'create', undefined), {
      allowed: false,
      reason: 'not-authenticated'
    })
    assert.deepEqual(decideAccess(products, 'create', customer), { allowed: false, reason: 'forbidden' })
    assert.deepEqual(decideAccess(categories, 'remove', customer), { allowed: false, reason: 'forbidden' })
  })

  it('scopes owners to their own rows by the owner field', () => {
    assert.deepEqual(decideAccess(users, 'find', customer), { allowed: true, scope: [{ id: 7 }] })
    assert.deepEqual(decideAccess(users, 'patch', customer, ['name']), { allowed: true, scope: [{ id: 7 }] })
    assert.deepEqual(decideAccess(users, 'patch', admin, ['roles']), { allowed: true, scope: null })
  })

  it('names a readonly field that no grant of the caller may write', () => {
    assert.deepEqual(decideAccess(users, 'create', undefined, ['email', 'roles']), {
      allowed: false,
      reason: 'field',
      field: 'roles'
    })
    assert.deepEqual(decideAccess(users, 'patch', customer, ['roles']), {
      allowed: false,
      reason: 'field',
      field: 'roles'
    })
  })

  it('leaves readonly and server-set fields out of the default writable fields', () => {
    assert.deepEqual(defaultWritableFields(users), [
      'email',
      'password',
      'currentPassword',
      'name',
      'phone',
      'locale'
    ])
    assert.ok(!defaultWritableFields(products).includes('createdAt'))
  })

  it('sends events only to the channels that may get the record', () => {
    assert.deepEqual(channelsFor(products, { id: 1, status: 'draft' }), [
      'roles/admin',
      'roles/catalog',
      'roles/support'
    ])
    assert.deepEqual(channelsFor(products, { id: 1, status: 'active' }), [
      'everyone',
      'roles/admin',
      'roles/catalog',
      'roles/support'
    ])
    assert.deepEqual(channelsFor(users, { id: 7 }), ['users/7', 'roles/admin', 'roles/support'])
    assert.deepEqual(channelsFor(categories, { id: 3 }), ['everyone'])
  })
})

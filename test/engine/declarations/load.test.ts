import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { loadDeclarations, loadDeclarationSet } from '../../../src/engine/declarations/load'
import { loadFiles } from '../../helpers/declarations'
import { domain } from '../../../src/contexts'

const categories = `name: categories
fields:
  id: { type: id }
  name: { type: string, maxLength: 100 }
access: { find: [public] }
`

const load = (files: Record<string, string>) => loadFiles(files)

describe('engine/load: resource declarations', () => {
  it('loads and normalizes the repository declarations', () => {
    const declarations = loadDeclarations('src/contexts', domain)
    const names = declarations.map((d) => d.name)
    for (const name of ['api-keys', 'audit-log', 'categories', 'orders', 'products', 'sessions', 'users']) {
      assert.ok(names.includes(name), name)
    }
    const products = declarations.find((d) => d.name === 'products')!
    assert.deepEqual(products.access.find.public, { where: { status: 'active' } })
    assert.deepEqual(products.access.update, {}, 'a method left out is closed')
    assert.deepEqual(products.query.paginate, { default: 20, max: 100 })
  })

  it('names the file, line and path of an unknown field type', () => {
    const { message } = load({
      'things.yaml': 'name: things\nfields:\n  id: { type: id }\n  size: { type: bigness }\n'
    })
    assert.match(message, /things\.yaml:4 \/fields\/size\/type: must be equal to one of the allowed values/)
    assert.match(message, /string, text/)
  })

  it('rejects unknown properties in a field', () => {
    const { message } = load({ 'things.yaml': 'name: things\nfields:\n  id: { type: id, colour: red }\n' })
    assert.match(message, /things\.yaml:3 \/fields\/id: unknown property 'colour'/)
  })

  it('rejects a ref to an undeclared resource', () => {
    const { message } = load({
      'things.yaml': 'name: things\nfields:\n  id: { type: id }\n  ownerId: { type: ref, to: people }\n'
    })
    assert.match(message, /\/fields\/ownerId\/to: refers to undeclared resource 'people'/)
  })

  it('rejects a filter or sort on an undeclared field', () => {
    const { message } = load({
      'categories.yaml': categories + 'query: { filter: [name, colour], sort: [size] }\n'
    })
    assert.match(message, /\/query\/filter\/1: filter on undeclared field 'colour'/)
    assert.match(message, /\/query\/sort\/0: sort on undeclared field 'size'/)
  })

  it('rejects a default that breaks its own constraint', () => {
    const { message } = load({
      'things.yaml':
        'name: things\nfields:\n  id: { type: id }\n  status: { type: enum, values: [a, b], default: c }\n  n: { type: integer, min: 0, default: -1 }\n'
    })
    assert.match(message, /\/fields\/status\/default: default "c" breaks the field's own constraint/)
    assert.match(message, /\/fields\/n\/default: default -1 breaks the field's own constraint/)
  })

  it('rejects owner access without an owner field and conditions on unknown fields', () => {
    const { message } = load({
      'categories.yaml': categories.replace(
        'access: { find: [public] }',
        'access:\n  find: [owner]\n  get: { public: { where: { colour: red } } }'
      )
    })
    assert.match(message, /\/access\/find\/owner: 'owner' needs a field declared with owner: true/)
    assert.match(message, /\/access\/get\/public\/where\/colour: condition on undeclared field 'colour'/)
  })

  it('rejects options that do not apply to a type and hidden filters', () => {
    const { message } = load({
      'things.yaml':
        'name: things\nfields:\n  id: { type: id }\n  n: { type: integer, maxLength: 3 }\n  secret: { type: password, hidden: true }\nquery: { filter: [secret] }\n'
    })
    assert.match(message, /\/fields\/n\/maxLength: 'maxLength' does not apply to type integer/)
    assert.match(message, /\/query\/filter\/0: cannot filter on hidden field 'secret'/)
  })

  it('reports YAML syntax errors and duplicate names with the file', () => {
    assert.match(load({ 'broken.yaml': 'name: [unclosed\n' }).message, /broken\.yaml: /)
    const twice = load({ 'a.yaml': categories, 'b.yaml': categories }).message
    assert.match(twice, /b\.yaml \/name: 'categories' is already declared in .*a\.yaml/)
  })

  it('requires an id field', () => {
    const { message } = load({ 'things.yaml': 'name: things\nfields:\n  name: { type: string }\n' })
    assert.match(message, /\/fields: a resource needs a field 'id' of type id/)
  })
})

describe('engine/load: API keys and rate limits declared per resource', () => {
  const loadWith = (files: Record<string, string>) => loadFiles(files, domain)

  it('reads apiKeys (default true) and rateLimit', () => {
    const shipped = loadDeclarations('src/contexts', domain)
    const use = Object.fromEntries(shipped.map((resource) => [resource.name, resource.apiKeys]))
    assert.equal(use.users, 'read')
    for (const name of ['api-keys', 'sessions', 'audit-log', 'idempotency-keys', 'payment-events'])
      assert.equal(use[name], false, name)
    assert.equal(use.products, true)
    assert.deepEqual(shipped.find((resource) => resource.name === 'users')!.rateLimit, {
      create: 'registration'
    })
    assert.deepEqual(shipped.find((resource) => resource.name === 'products')!.rateLimit, {})
  })

  it('names the file and line of a bad apiKeys value, an unknown limiter or a limit on a closed method', () => {
    const { message } = loadWith({
      'categories.yaml': `${categories}apiKeys: write\nrateLimit: { find: signups, remove: registration }\n`
    })
    assert.match(message, /categories\.yaml:6 \/apiKeys: must be boolean/)
    const limits = loadWith({
      'categories.yaml': `${categories}rateLimit: { find: signups, remove: registration }\n`
    }).message
    assert.match(
      limits,
      /categories\.yaml:6 \/rateLimit\/find: unknown rate limiter 'signups' \(one of: loginAccount/
    )
    assert.match(limits, /categories\.yaml:6 \/rateLimit\/remove: remove is closed \(no access grant\)/)
  })
})

describe('engine/load: what transitions require, guard and cause', () => {
  const machine = (states: string) => `name: tickets
fields:
  id: { type: id }
  note: { type: string, maxLength: 10, optional: true }
  extra: { type: string, virtual: true, optional: true }
  status: { type: enum, values: [open, closed], default: open }
states:
${states}`

  it('reads requires, guards and effects, each defaulting to none', () => {
    const orders = loadDeclarations('src/contexts', domain).find((d) => d.name === 'orders')!
    assert.deepEqual(orders.states!.effects, ['recordOrderHistory'])
    assert.deepEqual(orders.states!.transitions.pay.requires, ['shippingAddress'])
    assert.deepEqual(orders.states!.transitions.cancel.effects, ['releaseOrderStock', 'cancelOrderPayments'])
    assert.deepEqual(orders.states!.transitions.deliver.guards, [])
  })

  it('names the file and line of a required field that is not stored, and of unknown guards and effects', () => {
    const { message } = load({
      'tickets.yaml': machine(`  field: status
  effects: [ghostEffect]
  transitions:
    close: { from: open, to: closed, requires: [missing, extra], guards: [ghostGuard], effects: [alsoGhost] }
`)
    })
    assert.match(
      message,
      /tickets\.yaml:11 \/states\/transitions\/close\/requires\/0: 'missing' is not a stored field/
    )
    assert.match(message, /\/states\/transitions\/close\/requires\/1: 'extra' is not a stored field/)
    assert.match(message, /\/states\/transitions\/close\/guards\/0: unknown guard 'ghostGuard'/)
    assert.match(message, /\/states\/transitions\/close\/effects\/0: unknown effect 'alsoGhost'/)
    assert.match(message, /tickets\.yaml:9 \/states\/effects\/0: unknown effect 'ghostEffect'/)
  })
})

describe('engine/load: roles declared in _roles.yaml', () => {
  const roles = `roles:
  admin: { description: Everything, administrative: true }
  support:
    description: Reads categories
    grants:
      categories: { get: all, find: { where: { name: visible } } }
`

  it('merges role grants into the resources, one policy model', () => {
    const { declarations, message } = load({ '_roles.yaml': roles, 'categories.yaml': categories })
    assert.equal(message, '')
    const [category] = declarations
    assert.deepEqual(category.access.get, { support: {} })
    assert.deepEqual(category.access.find, { public: {}, support: { where: { name: 'visible' } } })
  })

  it('rejects roles nobody declared, grants on undeclared resources and grants given twice', () => {
    const { message } = load({
      '_roles.yaml': roles + '  ops:\n    description: x\n    grants: { spaceships: { find: all } }\n',
      'categories.yaml': categories.replace(
        'access: { find: [public] }',
        'access: { find: [public, auditor], get: [support] }'
      )
    })
    assert.match(
      message,
      /categories\.yaml:\d+ \/access\/find\/auditor: unknown role 'auditor' \(declare it in _roles\.yaml\)/
    )
    assert.match(
      message,
      /_roles\.yaml:\d+ \/roles\/ops\/grants\/spaceships: grants on undeclared resource 'spaceships'/
    )
    assert.match(
      message,
      /\/roles\/support\/grants\/categories\/get: categories\.yaml already grants get to support/
    )
  })

  it('checks the roles file against its own schema', () => {
    const { message } = load({
      '_roles.yaml': 'roles:\n  owner: { description: reserved }\n',
      'categories.yaml': categories
    })
    assert.match(message, /_roles\.yaml/)
  })

  it('reads which roles are administrative from the roles file, under any name', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'decl-'))
    fs.writeFileSync(
      path.join(dir, '_roles.yaml'),
      'roles:\n  root: { description: Runs it, administrative: true }\n  admin: { description: A name only }\n'
    )
    fs.writeFileSync(path.join(dir, 'categories.yaml'), categories)
    assert.deepEqual(loadDeclarationSet(dir).administrativeRoles, ['root'])
    assert.deepEqual(loadDeclarationSet('src/contexts', domain).administrativeRoles, ['admin'])
  })

  it('needs one administrative role, and administrative to be a boolean', () => {
    const none = load({
      '_roles.yaml': 'roles:\n  admin: { description: x }\n',
      'categories.yaml': categories
    })
    assert.match(none.message, /_roles\.yaml:2 \/roles: no role is `administrative: true`/)
    const text = load({
      '_roles.yaml': 'roles:\n  admin:\n    description: x\n    administrative: yes please\n',
      'categories.yaml': categories
    })
    assert.match(text.message, /_roles\.yaml:4 \/roles\/admin\/administrative: must be boolean/)
  })

  it('keeps the shipped users.roles field in step with the declared roles', () => {
    const users = loadDeclarations('src/contexts', domain).find((d) => d.name === 'users')!
    assert.deepEqual(users.access.find.support, {}, 'support reads users through _roles.yaml')
  })
})

describe('engine/load: vocabularies declared in _vocabularies.yaml', () => {
  const vocabularies = `vocabularies:
  currencies:
    description: Money
    values: [KRW, USD]
    attributes:
      digits: { KRW: 0, USD: 2 }
`
  const prices = `name: prices
fields:
  id: { type: id }
  currency: { type: enum, values: currencies, default: KRW }
`

  it('resolves an enum naming a vocabulary to its values, and returns the vocabularies', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'decl-'))
    fs.writeFileSync(path.join(dir, '_vocabularies.yaml'), vocabularies)
    fs.writeFileSync(path.join(dir, 'prices.yaml'), prices)
    const set = loadDeclarationSet(dir)
    assert.deepEqual(set.resources[0].fields.currency.values, ['KRW', 'USD'])
    assert.deepEqual(set.vocabularies, [
      {
        name: 'currencies',
        description: 'Money',
        values: ['KRW', 'USD'],
        attributes: { digits: { KRW: 0, USD: 2 } }
      }
    ])
  })

  it('names the file and line of an unknown vocabulary, with or without a vocabularies file', () => {
    const typo = prices.replace('values: currencies', 'values: currency')
    const { message } = load({ '_vocabularies.yaml': vocabularies, 'prices.yaml': typo })
    assert.match(
      message,
      /prices\.yaml:4 \/fields\/currency\/values: unknown vocabulary 'currency' \(declared in _vocabularies\.yaml: currencies\)/
    )
    assert.match(load({ 'prices.yaml': prices }).message, /prices\.yaml:4 .*unknown vocabulary 'currencies'/)
  })

  it('checks a resolved vocabulary like a list written out: a default outside it is refused', () => {
    const { message } = load({
      '_vocabularies.yaml': vocabularies,
      'prices.yaml': prices.replace('default: KRW', 'default: GBP')
    })
    assert.match(
      message,
      /prices\.yaml:4 \/fields\/currency\/default: default "GBP" breaks the field's own constraint/
    )
  })

  it('checks the vocabularies file: its schema, and an attribute for exactly the values', () => {
    const bad = load({
      '_vocabularies.yaml': 'vocabularies:\n  currencies: { values: [KRW, KRW] }\n',
      'prices.yaml': prices
    })
    assert.match(
      bad.message,
      /_vocabularies\.yaml:2 \/vocabularies\/currencies\/values: must NOT have duplicate items/
    )
    const { message } = load({
      '_vocabularies.yaml': vocabularies.replace('{ KRW: 0, USD: 2 }', '{ KRW: 0, GBP: 2 }'),
      'prices.yaml': prices
    })
    assert.match(
      message,
      /_vocabularies\.yaml:6 \/vocabularies\/currencies\/attributes\/digits: no digits for USD/
    )
    assert.match(
      message,
      /_vocabularies\.yaml:6 \/vocabularies\/currencies\/attributes\/digits\/GBP: 'GBP' is not a value/
    )
  })

  it('resolves the shipped currencies: products, orders, payments and refunds share one list', () => {
    const { resources, vocabularies: declared } = loadDeclarationSet('src/contexts', domain)
    const currencies = declared.find((vocabulary) => vocabulary.name === 'currencies')!
    assert.deepEqual(currencies.values, ['KRW', 'USD', 'EUR'], 'the migrated enum values')
    for (const name of ['products', 'orders', 'payments', 'refunds']) {
      const resource = resources.find((r) => r.name === name)!
      assert.deepEqual(resource.fields.currency.values, currencies.values, name)
    }
  })
})

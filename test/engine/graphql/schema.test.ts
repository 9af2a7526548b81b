import assert from 'node:assert/strict'
import {
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLObjectType,
  getNamedType,
  parse,
  validate,
  type GraphQLSchema
} from 'graphql'
import { loadFiles } from '../../helpers/declarations'
import { loadDeclarationSet } from '../../../src/engine/declarations/load'
import { domain } from '../../../src/contexts'
import { buildGraphqlSchema } from '../../../src/engine/graphql/schema'
import { graphqlNames } from '../../../src/engine/graphql/names'
import { operationLimits } from '../../../src/engine/graphql/limits'

const shipped = () => loadDeclarationSet('src/contexts', domain).resources

const objectType = (schema: GraphQLSchema, name: string) => schema.getType(name) as GraphQLObjectType
const inputFields = (schema: GraphQLSchema, name: string) =>
  Object.keys((schema.getType(name) as GraphQLInputObjectType).getFields())
const enumValues = (schema: GraphQLSchema, name: string) =>
  (schema.getType(name) as GraphQLEnumType).getValues().map((value) => value.name)

const WIDGETS = `
name: widget-parts
fields:
  id: { type: id }
  ownerId: { type: ref, to: members, owner: true }
  label: { type: string, maxLength: 50, search: true }
  secret: { type: string, maxLength: 50, hidden: true, optional: true }
  size: { type: enum, values: [small, large], default: small }
  meta: { type: json, optional: true }
  note: { type: text, optional: true }
  createdAt: { type: createdAt }
query: { filter: [label, size, createdAt], sort: [label, createdAt] }
access:
  find: [owner, admin]
  get: [owner, admin]
  create: { owner: { fields: [label] }, admin: all }
  remove: [admin]
`
const MEMBERS = `
name: members
fields:
  id: { type: id, owner: true }
  email: { type: string, maxLength: 100 }
access:
  get: [owner]
`

describe('engine: the GraphQL schema generated from declarations', () => {
  describe('names', () => {
    it('derives types and operations from the resource name, and avoids a clash of single and plural', () => {
      const names = Object.fromEntries(shipped().map((resource) => [resource.name, graphqlNames(resource)]))
      assert.deepEqual(names['products'], { type: 'Product', single: 'product', plural: 'products' })
      assert.deepEqual(names['order-items'], { type: 'OrderItem', single: 'orderItem', plural: 'orderItems' })
      assert.deepEqual(names['categories'], { type: 'Category', single: 'category', plural: 'categories' })
      assert.deepEqual(names['inventory'], {
        type: 'Inventory',
        single: 'inventory',
        plural: 'inventoryList'
      })
      assert.deepEqual(names['audit-log'], { type: 'AuditLog', single: 'auditLog', plural: 'auditLogList' })
    })

    it('takes graphql: { type, plural } from the declaration', () => {
      const { declarations, message } = loadFiles({
        'members.yaml': MEMBERS,
        'widget-parts.yaml': `${WIDGETS}graphql: { type: Gadget, plural: allGadgets }\n`
      })
      assert.equal(message, '')
      const widget = declarations.find((resource) => resource.name === 'widget-parts')!
      assert.deepEqual(graphqlNames(widget), { type: 'Gadget', single: 'gadget', plural: 'allGadgets' })
      const schema = buildGraphqlSchema(declarations)
      assert.ok(schema.getQueryType()!.getFields().allGadgets)
      assert.ok(schema.getMutationType()!.getFields().createGadget)
    })

    it('refuses a name that is not a GraphQL type name, naming the file and path', () => {
      const { message } = loadFiles({ 'members.yaml': `${MEMBERS}graphql: { type: lower-case }\n` })
      assert.match(message, /members\.yaml.*\/graphql\/type/)
    })
  })

  describe('a resource', () => {
    const { declarations } = loadFiles({ 'members.yaml': MEMBERS, 'widget-parts.yaml': WIDGETS })
    const schema = buildGraphqlSchema(declarations)

    it('has every visible field, never a hidden one, and references as fields', () => {
      const fields = objectType(schema, 'WidgetPart').getFields()
      assert.deepEqual(Object.keys(fields), [
        'id',
        'ownerId',
        'label',
        'size',
        'meta',
        'note',
        'createdAt',
        'owner'
      ])
      assert.equal(String(fields.label.type), 'String!')
      assert.equal(String(fields.note.type), 'String')
      assert.equal(String(fields.size.type), 'WidgetPartSize!')
      assert.equal(String(fields.meta.type), 'JSON')
      assert.equal(String(fields.createdAt.type), 'DateTime!')
      assert.equal(String(fields.owner.type), 'Member')
    })

    it('offers exactly the declared filters with their operators, and the declared sort fields', () => {
      assert.deepEqual(inputFields(schema, 'WidgetPartWhere'), ['label', 'size', 'createdAt'])
      assert.deepEqual(inputFields(schema, 'WidgetPartLabelFilter'), [
        'eq',
        'in',
        'nin',
        'ne',
        'lt',
        'lte',
        'gt',
        'gte',
        'ilike'
      ])
      assert.deepEqual(inputFields(schema, 'WidgetPartSizeFilter'), ['eq', 'in', 'nin', 'ne'])
      assert.deepEqual(enumValues(schema, 'WidgetPartSortField'), ['label', 'createdAt'])
    })

    it('has the queries and mutations its access allows, with the fields anyone may write', () => {
      assert.deepEqual(Object.keys(schema.getQueryType()!.getFields()), [
        'member',
        'widgetParts',
        'widgetPart'
      ])
      assert.deepEqual(Object.keys(schema.getMutationType()!.getFields()), [
        'createWidgetPart',
        'removeWidgetPart'
      ])
      // The owner may write label; admins every default-writable field (the hidden one is writable, not readable).
      assert.deepEqual(inputFields(schema, 'WidgetPartCreateInput'), [
        'label',
        'secret',
        'size',
        'meta',
        'note'
      ])
      const label = (schema.getType('WidgetPartCreateInput') as GraphQLInputObjectType).getFields().label
      assert.equal(String(label.type), 'String!', 'both grants write it: every caller must send it')
      assert.equal(label.description, 'Constraints: at most 50 characters.')
    })
  })

  describe('create and update inputs', () => {
    const GADGETS = `
name: gadgets
fields:
  id: { type: id }
  ownerId: { type: ref, to: members, owner: true }
  label: { type: string, maxLength: 50 }
  code: { type: string, maxLength: 10 }
  size: { type: enum, values: [small, large], default: small }
  note: { type: text, optional: true }
  version: { type: version }
access:
  get: [admin]
  create: { authenticated: { fields: [label, note] }, admin: { fields: [label, code, ownerId, size, note] } }
  update: { admin: { fields: [label, code, ownerId, size, note] } }
  patch: [admin]
apiKeys: false
`
    const { declarations, message } = loadFiles({ 'members.yaml': MEMBERS, 'gadgets.yaml': GADGETS })
    const schema = buildGraphqlSchema(declarations)
    const types = (name: string) =>
      Object.fromEntries(
        Object.values((schema.getType(name) as GraphQLInputObjectType).getFields()).map((field) => [
          field.name,
          String(field.type)
        ])
      )

    it('are non-null exactly where every caller must send the field', () => {
      assert.equal(message, '')
      // code: required, but a caller the method admits may not write it (the service names it); ownerId: the
      // caller when left out; size: a default.
      assert.deepEqual(types('GadgetCreateInput'), {
        label: 'String!',
        code: 'String',
        ownerId: 'Int',
        size: 'GadgetSize',
        note: 'String'
      })
      const code = (schema.getType('GadgetCreateInput') as GraphQLInputObjectType).getFields().code
      assert.equal(code.description, 'Constraints: at most 10 characters; required.')
      assert.deepEqual(types('GadgetUpdateInput'), {
        label: 'String!',
        code: 'String!',
        ownerId: 'Int',
        size: 'GadgetSize',
        note: 'String'
      })
      assert.ok(Object.values(types('GadgetPatchInput')).every((type) => !type.endsWith('!')))
    })

    it('offer update as the declaration allows, with version as patch has it', () => {
      const mutations = schema.getMutationType()!.getFields()
      assert.deepEqual(Object.keys(mutations), ['createGadget', 'updateGadget', 'patchGadget'])
      assert.deepEqual(
        mutations.updateGadget.args.map((arg) => `${arg.name}: ${arg.type}`),
        ['id: Int!', 'data: GadgetUpdateInput!', 'version: Int']
      )
      assert.ok(!mutations.updateMember, 'members declare no update')
    })
  })

  describe('the shipped declarations', () => {
    const schema = buildGraphqlSchema(shipped())
    const resources = shipped()

    it('never names a hidden field in an output type, a filter or a sort', () => {
      for (const resource of resources) {
        const hidden = Object.keys(resource.fields).filter((name) => resource.fields[name].hidden)
        const type = schema.getType(graphqlNames(resource).type) as GraphQLObjectType | undefined
        if (!type) continue
        for (const name of hidden)
          assert.ok(!type.getFields()[name], `${resource.name}.${name} is in the schema`)
      }
      assert.ok(!objectType(schema, 'User').getFields().password)
      assert.ok(!objectType(schema, 'ApiKey').getFields().keyHash)
    })

    it('links orders to their items, products and owner', () => {
      const order = objectType(schema, 'Order').getFields()
      assert.equal(String(order.items.type), '[OrderItem!]!')
      assert.equal(String(order.user.type), 'User')
      assert.equal(getNamedType(objectType(schema, 'OrderItem').getFields().product.type).name, 'Product')
      assert.deepEqual(
        schema
          .getMutationType()!
          .getFields()
          .patchOrder.args.map((arg) => arg.name),
        ['id', 'data', 'version']
      )
    })

    it('has no update mutation: no shipped declaration allows update', () => {
      assert.ok(resources.every((resource) => !Object.keys(resource.access.update).length))
      const names = Object.keys(schema.getMutationType()!.getFields())
      assert.deepEqual(
        names.filter((name) => name.startsWith('update')),
        []
      )
      assert.ok(!schema.getType('ProductUpdateInput'))
    })
  })

  describe('depth and cost limits', () => {
    const schema = buildGraphqlSchema(shipped())
    const check = (query: string, limits = { maxDepth: 6, maxCost: 2000 }) =>
      validate(schema, parse(query), [operationLimits(limits)]).map((error) => error.extensions.code)

    it('refuses a selection deeper than maxDepth, following fragments', () => {
      assert.deepEqual(check('{ orders(limit: 5) { data { items { order { user { email } } } } } }'), [])
      assert.deepEqual(
        check(
          '{ orders(limit: 1) { data { ...o } } } fragment o on Order { items { order { items { order { id } } } } }'
        ),
        ['QUERY_TOO_DEEP']
      )
    })

    it('counts each list by its limit (or cap) and refuses what costs more than maxCost', () => {
      assert.deepEqual(check('{ orders(limit: 10) { data { id items { sku } } } }'), [])
      assert.deepEqual(check('{ orders(limit: 100) { data { id items { sku product { name } } } } }'), [
        'QUERY_TOO_COSTLY'
      ])
    })
  })
})

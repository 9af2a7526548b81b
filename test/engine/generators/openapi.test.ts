import assert from 'node:assert/strict'
import { Validator } from '@seriousme/openapi-schema-validator'
import { loadDeclarations } from '../../../src/engine/declarations/load'
import { METHODS, type ResourceDeclaration } from '../../../src/engine/declarations/declaration'
import { behaviourContract } from '../../../src/engine/generators/behaviour-contract'
import { openApiDocument, openApiSchema } from '../../../src/engine/generators/openapi'
import { documentSources } from '../../../src/ops/openapi'
import { resourceTypeNames } from '../../../src/engine/generators/typegen'
import { dataValidator } from '../../../src/engine/validators'
import { domain } from '../../../src/contexts'

const HTTP: Record<string, [string, 'collection' | 'item']> = {
  find: ['get', 'collection'],
  get: ['get', 'item'],
  create: ['post', 'collection'],
  update: ['put', 'item'],
  patch: ['patch', 'item'],
  remove: ['delete', 'item']
}

const info = { title: 'Internal API', version: '9.9.9' }

const validates = async (document: object) => {
  const result = await new Validator().validate(document as Record<string, unknown>)
  assert.deepEqual(result.errors, undefined, JSON.stringify(result.errors, null, 2))
  assert.equal(result.valid, true)
}

/** Every value in the document, with its JSON path, for "never anywhere" checks. */
const walk = (value: unknown, visit: (value: any, path: string) => void, path = '#') => {
  visit(value, path)
  if (value && typeof value === 'object')
    for (const [key, child] of Object.entries(value)) walk(child, visit, `${path}/${key}`)
}

describe('engine/openapi: the OpenAPI document compiled from the declarations', () => {
  const resources = loadDeclarations('src/contexts', domain)
  const document: any = openApiDocument(resources, info, documentSources())
  const parameter = (path: string, method: string, name: string) =>
    document.paths[path][method].parameters?.find((p: { name: string }) => p.name === name)

  it('is a valid OpenAPI 3.0 document', async () => {
    assert.equal(document.openapi, '3.0.3')
    assert.equal(document.info.version, '9.9.9')
    await validates(document)
  })

  it('has every resource and every method its access offers, and none that nobody may call', () => {
    for (const resource of resources) {
      for (const method of METHODS) {
        const [verb, kind] = HTTP[method]
        const path = kind === 'collection' ? `/${resource.path}` : `/${resource.path}/{id}`
        const offered = Object.keys(resource.access[method]).length > 0
        assert.equal(
          Boolean(document.paths[path]?.[verb]),
          offered,
          `${verb.toUpperCase()} ${path} (${method}) is ${offered ? 'missing' : 'documented though closed'}`
        )
      }
    }
    assert.equal(document.paths['/products/{id}'].put, undefined, 'products declare no update')
    assert.equal(document.paths['/idempotency-keys'], undefined, 'a server-only resource is not exposed')
    assert.equal(
      document.paths['/order-items'].post,
      undefined,
      'order lines are written through orders only'
    )
    assert.ok(!document.tags.some((tag: { name: string }) => tag.name === 'idempotency-keys'))
  })

  it('documents the routes that are not resources', () => {
    assert.ok(document.paths['/authentication'].post)
    assert.ok(document.paths['/authentication'].delete)
    assert.ok(document.paths['/users/me'].get)
    assert.deepEqual(document.paths['/users/me'].get.security, [{ bearerAuth: [] }])
    const webhook = document.paths['/payments/webhook'].post
    assert.ok(
      webhook.parameters.some((p: any) => p.name === 'X-Signature' && p.in === 'header' && p.required)
    )
    assert.deepEqual(webhook.security, [])
    for (const path of ['/health/live', '/health/ready', '/metrics']) assert.ok(document.paths[path].get)
    const login = document.paths['/authentication'].post.requestBody.content['application/json'].schema
    assert.deepEqual(Object.keys(login.discriminator.mapping), ['local', 'refresh'])
  })

  it('turns declared filters into bracket-style query parameters with their operators', () => {
    const find = (name: string) => parameter('/products', 'get', name)
    // Query values keep the column's range, not the declared minimum: `priceCents[$gte]=-1` is a fair question.
    const integer = { type: 'integer', minimum: -2147483648, maximum: 2147483647 }
    assert.deepEqual(find('priceCents[$gte]').schema, integer)
    assert.deepEqual(find('priceCents').schema, integer)
    const statusIn = find('status[$in]')
    assert.equal(statusIn.schema.type, 'array')
    assert.deepEqual(statusIn.schema.items.enum, ['draft', 'active', 'archived'])
    assert.equal(statusIn.style, 'form')
    assert.equal(statusIn.explode, true)
    assert.ok(find('name[$ilike]'), 'a search field offers $ilike')
    assert.equal(find('sku[$ilike]'), undefined, 'a field without search does not')
    assert.equal(find('status[$lt]'), undefined, 'enums are not ordered')
    assert.equal(find('createdAt[$gte]').schema.format, 'date-time')
    assert.deepEqual(find('$sort[priceCents]').schema, { type: 'integer', enum: [1, -1] })
    assert.equal(find('$sort[sku]'), undefined, 'sku is not sortable')
    assert.equal(find('$limit').schema.default, 20)
    assert.match(find('$limit').description, /clamped to 100/)
    assert.ok(find('$skip'))
    assert.equal(find('description'), undefined, 'only declared filters')
    assert.equal(parameter('/orders', 'get', 'status[$in]').schema.items.enum.length, 7)
  })

  it('never shows hidden fields in results, and accepts them write-only in bodies', () => {
    for (const resource of resources) {
      const result = document.components.schemas[resourceTypeNames(resource).result]
      if (!result) continue
      const added = behaviourContract(resource, resources, { contracts: domain.contracts }).resultProperties
      for (const [name, field] of Object.entries(resource.fields)) {
        if ((field.hidden || field.virtual) && !(name in added))
          assert.ok(!(name in result.properties), `${resource.name}.${name} is in the result schema`)
      }
    }
    assert.ok(!('password' in document.components.schemas.User.properties))
    assert.ok(!('keyHash' in document.components.schemas.ApiKey.properties))
    assert.deepEqual(document.components.schemas.UserData.properties.password.writeOnly, true)
    assert.ok(!parameter('/users', 'get', '$select[]').schema.items.enum.includes('password'))
    assert.ok(!JSON.stringify(document.paths['/users']).includes('password['))
  })

  it('documents Idempotency-Key on idempotent mutations and If-Match on versioned patches', () => {
    const headers = (path: string, method: string) =>
      (document.paths[path][method].parameters ?? []).map((p: { $ref?: string }) => p.$ref).filter(Boolean)
    assert.ok(headers('/orders', 'post').includes('#/components/parameters/IdempotencyKey'))
    assert.ok(headers('/orders/{id}', 'patch').includes('#/components/parameters/IdempotencyKey'))
    assert.ok(headers('/orders/{id}', 'patch').includes('#/components/parameters/IfMatch'))
    assert.ok(headers('/refunds', 'post').includes('#/components/parameters/IdempotencyKey'))
    assert.deepEqual(headers('/orders', 'get'), [])
    assert.deepEqual(headers('/products', 'post'), [])
    assert.ok(document.paths['/orders'].post.responses['422'])
    assert.equal(document.paths['/products'].post.responses['422'], undefined)
  })

  it('says who may call each method, and lets public methods go without credentials', () => {
    const find = document.paths['/products'].get
    assert.match(find.description, /public \(rows where status = active\); admin; catalog; support\./)
    assert.deepEqual(find.security, [{}, { bearerAuth: [] }, { apiKey: [] }])
    assert.deepEqual(document.paths['/products'].post.security, [{ bearerAuth: [] }, { apiKey: [] }])
    assert.match(document.paths['/users'].post.description, /public \(fields: email, password, name/)
    assert.match(
      document.paths['/orders/{id}'].get.description,
      /owner \(own records: userId = their user id\)/
    )
    assert.match(document.paths['/inventory'].post.description, /kind in \(receive, adjust\)/)
    assert.ok(document.components.securitySchemes.bearerAuth.scheme === 'bearer')
    assert.deepEqual(
      {
        in: document.components.securitySchemes.apiKey.in,
        name: document.components.securitySchemes.apiKey.name
      },
      { in: 'header', name: 'X-API-Key' }
    )
  })

  it('documents state transitions on PATCH and the error responses that can happen', () => {
    const patch = document.paths['/orders/{id}'].patch
    assert.match(patch.description, /- `ship`: paid, partially_refunded → shipped \(admin\)/)
    assert.match(patch.description, /- `pay`: pending → paid \(the server only\)/)
    assert.match(document.paths['/orders'].post.description, /starts as `status` `pending`/)
    assert.deepEqual(Object.keys(patch.responses), [
      '200',
      '400',
      '401',
      '403',
      '404',
      '409',
      '413',
      '415',
      '422',
      '503'
    ])
    assert.deepEqual(Object.keys(document.paths['/products'].get.responses), [
      '200',
      '400',
      '401',
      '403',
      '413',
      '503'
    ])
    assert.ok(document.paths['/users'].post.responses['429'], 'registrations are rate-limited')
    for (const path of ['/users/me', '/users/{id}']) {
      // A wrong currentPassword counts toward the account's login limit.
      assert.ok(document.paths[path].patch.responses['429'], `PATCH ${path} may be rate-limited`)
    }
    assert.ok(document.paths['/products/{id}'].delete.responses['409'], 'order items restrict it')
    assert.equal(document.paths['/categories/{id}'].delete.responses['409'], undefined, 'only set null refs')
    assert.ok(document.paths['/products'].post.responses['409'], 'sku is unique')
    const error = document.components.schemas.Error
    assert.deepEqual(error.required, ['name', 'message', 'code', 'className'])
    assert.deepEqual(error.properties.errors.items.required, ['field', 'message'])
  })

  it('writes schemas in OpenAPI 3.0 terms: nullable instead of null types, no $id', () => {
    const product = document.components.schemas.Product
    assert.deepEqual(product.properties.description, { type: 'string', maxLength: 10000, nullable: true })
    assert.equal(product.additionalProperties, false)
    assert.deepEqual(document.components.schemas.Order.properties.currency.enum, ['KRW', 'USD', 'EUR', null])
    walk(document, (value, path) => {
      if (value && typeof value === 'object') {
        assert.ok(!('$id' in value), `$id at ${path}`)
        assert.notEqual(value.type, 'null', `type null at ${path}`)
        assert.ok(!Array.isArray(value.type), `a type list at ${path}`)
      }
    })
    // Every component compiles with the validator the server uses (nullable needs a type beside it).
    for (const name of Object.keys(document.components.schemas)) {
      dataValidator.compile({ $ref: `#/components/schemas/${name}`, components: document.components })
    }
  })

  it('documents the paginated list shape per resource', () => {
    const list = document.components.schemas.ProductList
    assert.deepEqual(list.required, ['total', 'limit', 'skip', 'data'])
    assert.deepEqual(list.properties.data.items, { $ref: '#/components/schemas/Product' })
    assert.deepEqual(document.paths['/products'].get.responses['200'].content['application/json'].schema, {
      $ref: '#/components/schemas/ProductList'
    })
  })

  it('compiles other declarations too: update, soft delete, json fields, no pagination', async () => {
    const features = loadDeclarations('test/fixtures/features')
    const fixture: any = openApiDocument(
      features,
      { ...info, servers: [{ url: 'http://localhost:3030' }] },
      documentSources()
    )
    await validates(fixture)
    assert.ok(fixture.paths['/tasks/{id}'].put)
    assert.deepEqual(fixture.paths['/tasks/{id}'].put.requestBody.content['application/json'].schema, {
      $ref: '#/components/schemas/TaskData'
    })
    assert.equal(fixture.paths['/tasks/{id}'].delete.summary, 'Delete a task (soft)')
    assert.deepEqual(fixture.components.schemas.Task.properties.deletedAt, {
      type: 'string',
      format: 'date-time',
      nullable: true
    })
    assert.equal(fixture.paths['/users/me'], undefined, 'no users resource, no /users/me')
    assert.equal(fixture.paths['/members/me'].get.operationId, 'getMyMember', 'members own themselves')
    assert.equal(fixture.paths['/payments/webhook'], undefined)
  })

  it('refuses a resource whose schema names clash with the fixed ones', () => {
    const clash = { ...resources[0], name: 'webhook-events', path: 'webhook-events' } as ResourceDeclaration
    assert.throws(
      () => openApiDocument([clash], info, documentSources()),
      /WebhookEvent, which is already taken/
    )
  })

  it('converts JSON schema constructs OpenAPI 3.0 lacks', () => {
    assert.deepEqual(openApiSchema({ type: ['integer', 'null'], minimum: 1 }), {
      type: 'integer',
      minimum: 1,
      nullable: true
    })
    assert.deepEqual(openApiSchema({ anyOf: [{ enum: ['a', 'b'] }, { type: 'null' }] }), {
      enum: ['a', 'b', null],
      type: 'string',
      nullable: true
    })
    assert.deepEqual(openApiSchema({ const: 3 }), { enum: [3] })
    assert.deepEqual(openApiSchema({ type: 'number', exclusiveMinimum: 0 }), {
      type: 'number',
      minimum: 0,
      exclusiveMinimum: true
    })
    assert.deepEqual(openApiSchema({ $id: 'x', $schema: 'y', type: 'object', required: [] }), {
      type: 'object'
    })
    assert.deepEqual(openApiSchema({ anyOf: [{ description: 'anything' }, { type: 'null' }] }), {
      description: 'anything'
    })
    assert.deepEqual(openApiSchema({ type: 'array', items: [{ type: 'string' }, { type: 'integer' }] }), {
      type: 'array',
      items: { anyOf: [{ type: 'string' }, { type: 'integer' }] }
    })
  })
})

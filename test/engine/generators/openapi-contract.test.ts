import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Validator } from '@seriousme/openapi-schema-validator'
import { loadDeclarations } from '../../../src/engine/declarations/load'
import type { ResourceDeclaration } from '../../../src/engine/declarations/declaration'
import { fieldTypes, type JsonSchema } from '../../../src/engine/declarations/field-types'
import { openApiDocument, openApiSchema } from '../../../src/engine/generators/openapi'
import { documentSources } from '../../../src/ops/openapi'
import { resourceSchemas } from '../../../src/engine/runtime/schemas'
import { resourceTypeNames } from '../../../src/engine/generators/typegen'
import { domain } from '../../../src/contexts'

/** The configuration of the simulated payment provider (its methods: sim_succeed, sim_fail, sim_async). */
const SIMULATED = { get: (key: string) => (key === 'payments' ? { provider: 'simulated' } : undefined) }

const info = { title: 'Internal API', version: '9.9.9' }
const METHODS = ['get', 'put', 'post', 'patch', 'delete']

/** Every operation of a document, with its path and HTTP method. */
const operations = (document: any) =>
  Object.entries(document.paths).flatMap(([route, item]: [string, any]) =>
    METHODS.filter((method) => item[method]).map((method) => ({ route, method, operation: item[method] }))
  )

/** The constraint keywords (not annotations) a JSON schema property states, as OpenAPI 3.0 spells them. */
const constraints = (schema: JsonSchema) => {
  const converted = openApiSchema(schema)
  const own = [converted, ...((converted.anyOf as JsonSchema[]) ?? [])]
  const notes = ['description', 'title', 'nullable', 'readOnly', 'writeOnly', 'default', 'example']
  return own.flatMap((part) => Object.keys(part).filter((key) => !notes.includes(key)))
}

/** Every constraint of each property of the record, data and patch schemas is in the matching component. */
const assertCarried = (document: any, resource: ResourceDeclaration) => {
  const schemas = resourceSchemas(resource)
  const names = resourceTypeNames(resource)
  const pairs: [JsonSchema, string][] = [
    [schemas.result, names.result],
    [schemas.data, names.data],
    [schemas.patch, names.patch]
  ]
  for (const [schema, name] of pairs) {
    const component = document.components.schemas[name]
    if (!component) continue
    for (const [property, source] of Object.entries(schema.properties as Record<string, JsonSchema>)) {
      const target = JSON.stringify(component.properties[property])
      for (const key of constraints(source))
        assert.ok(target.includes(`"${key}"`), `${name}.${property} lost '${key}': ${target}`)
    }
  }
}

/** Every constraint of each filter value (and operator operand) is in its query parameter. */
const assertFiltersCarried = (document: any, resource: ResourceDeclaration) => {
  const find = document.paths[`/${resource.path}`]?.get
  if (!find) return
  const query = resourceSchemas(resource).query as JsonSchema
  for (const name of resource.query.filter) {
    const source = (query.properties as Record<string, JsonSchema>)[name]
    const [value, operators] = Array.isArray(source.anyOf) ? (source.anyOf as JsonSchema[]) : [source]
    const pairs: [string, JsonSchema][] = [
      [name, value],
      ...Object.entries((operators?.properties ?? {}) as Record<string, JsonSchema>).map(
        ([operator, operand]): [string, JsonSchema] => [`${name}[${operator}]`, operand]
      )
    ]
    for (const [parameterName, schema] of pairs) {
      const parameter = find.parameters.find((p: { name: string }) => p.name === parameterName)
      const target = JSON.stringify(parameter?.schema)
      for (const key of constraints(schema))
        assert.ok(target.includes(`"${key}"`), `${resource.name} ${parameterName} lost '${key}': ${target}`)
    }
  }
}

describe('engine/openapi: the contract states what the server enforces', () => {
  const resources = loadDeclarations('src/contexts', domain)
  const document: any = openApiDocument(resources, info, documentSources(SIMULATED))
  const schemas = document.components.schemas

  it('declares servers: the origin it is fetched from, unless told otherwise', async () => {
    assert.deepEqual(
      document.servers.map((server: { url: string }) => server.url),
      ['/']
    )
    const other: any = openApiDocument(
      resources,
      { ...info, servers: [{ url: 'https://api.example.org' }] },
      documentSources()
    )
    assert.deepEqual(other.servers, [{ url: 'https://api.example.org' }])
    assert.equal((await new Validator().validate(document)).valid, true)
  })

  it('lists 413 and 415 on every operation with a body, and 503 on every resource operation', () => {
    const withBody = operations(document).filter(({ operation }) => operation.requestBody)
    assert.ok(withBody.length >= 15, `${withBody.length} operations with a body`)
    for (const { route, method, operation } of withBody) {
      for (const status of ['400', '413', '415', '503'])
        assert.ok(operation.responses[status], `${method.toUpperCase()} ${route} lacks ${status}`)
    }
    assert.ok(document.paths['/users/me'].patch.responses['415'])
    assert.ok(document.paths['/orders'].get.responses['413'], 'queries are bounded too')
    assert.equal(document.paths['/orders'].get.responses['415'], undefined)
    assert.ok(document.paths['/payments/webhook'].post.responses['415'])
    assert.deepEqual(document.components.responses.ServiceUnavailable.headers['Retry-After'].schema, {
      type: 'integer'
    })
  })

  it('gives every operation but the probes a 4xx, a description and an error schema', () => {
    const probes = ['/health/live', '/health/ready', '/metrics']
    for (const { route, method, operation } of operations(document)) {
      assert.ok(operation.description, `${method} ${route} has a description`)
      if (probes.includes(route)) continue
      assert.ok(
        Object.keys(operation.responses).some((status) => status.startsWith('4')),
        `${method} ${route} has a 4xx`
      )
    }
  })

  it('requires items on order create, and describes the lines every order is returned with', () => {
    assert.ok(schemas.OrderData.required.includes('items'))
    assert.deepEqual(schemas.OrderData.properties.items.minItems, 1)
    const items = schemas.Order.properties.items
    assert.ok(schemas.Order.required.includes('items'))
    assert.equal(schemas.Order.additionalProperties, false, 'the record is strict again')
    assert.deepEqual(
      Object.keys(items.items.properties).sort(),
      ['id', 'lineTotalCents', 'name', 'productId', 'quantity', 'sku', 'unitPriceCents'].sort()
    )
    assert.equal(items.items.additionalProperties, false)
    assert.match(document.paths['/orders/{id}'].patch.description, /`status` changes alone/)
  })

  it("documents an API key's one-time key in the create answer only", () => {
    const created = document.paths['/api-keys'].post.responses['201'].content['application/json'].schema
    assert.deepEqual(created, { $ref: '#/components/schemas/ApiKeyCreated' })
    assert.ok(schemas.ApiKeyCreated.required.includes('key'))
    assert.equal(schemas.ApiKeyCreated.properties.key.type, 'string')
    assert.equal(schemas.ApiKey.properties.key, undefined, 'a listed key never shows its secret')
    assert.equal(schemas.ApiKey.additionalProperties, false)
    assert.match(document.paths['/api-keys'].post.description, /cannot|other than api-keys/)
  })

  it("lists the provider's payment methods as paymentMethod's values, and no provider error", () => {
    assert.deepEqual(schemas.PaymentData.properties.paymentMethod.enum, [
      'sim_succeed',
      'sim_fail',
      'sim_async',
      'sim_timeout'
    ])
    const plain: any = openApiDocument(resources, info, documentSources())
    assert.equal(plain.components.schemas.PaymentData.properties.paymentMethod.enum, undefined)
    const responses = document.paths['/payments'].post.responses
    for (const status of ['404', '409']) assert.ok(responses[status], status)
    // The provider is asked after the commit: its silence leaves the payment or refund pending, never a 502.
    assert.equal(responses['502'], undefined)
    assert.equal(document.paths['/refunds'].post.responses['502'], undefined)
  })

  it('says which query operators cannot be combined, and what $select does to records', () => {
    const find = document.paths['/orders'].get
    assert.match(find.description, /either by equality .* or by operators .* never both/)
    assert.match(find.description, /at most 100 values/)
    assert.match(find.description, /only the selected fields and `id`/)
    assert.match(document.paths['/orders/{id}'].get.description, /only the selected fields/)
  })

  it('carries every constraint keyword of every schema into the document, filters included', () => {
    for (const resource of resources) {
      assertCarried(document, resource)
      assertFiltersCarried(document, resource)
    }
  })

  it('carries integer and number ranges declared on fields into bodies and records', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-ranges-'))
    fs.writeFileSync(
      path.join(dir, 'gauges.yaml'),
      [
        'name: gauges',
        'fields:',
        '  id: { type: id }',
        '  level: { type: integer, min: -2147483648, max: 2147483647 }',
        '  ratio: { type: number, min: 0, max: 1, optional: true }',
        'query: { filter: [level], sort: [level] }',
        'access: { find: [public], create: [public], patch: [public] }'
      ].join('\n')
    )
    const gauges = loadDeclarations(dir)
    const fixture: any = openApiDocument(gauges, info, documentSources())
    fs.rmSync(dir, { recursive: true, force: true })
    const range = { minimum: -2147483648, maximum: 2147483647 }
    for (const name of ['Gauge', 'GaugeData', 'GaugePatch'])
      assert.deepEqual(fixture.components.schemas[name].properties.level, { type: 'integer', ...range }, name)
    assert.deepEqual(fixture.components.schemas.GaugeData.properties.ratio, {
      type: 'number',
      minimum: 0,
      maximum: 1,
      nullable: true
    })
    assertCarried(fixture, gauges[0])
    assertFiltersCarried(fixture, gauges[0])
    await new Validator().validate(fixture)
  })

  it("gives the {id} path parameter the id column's schema, range included", () => {
    assert.deepEqual(
      document.components.parameters.Id.schema,
      openApiSchema(fieldTypes.id.schema({ type: 'id' }))
    )
  })

  it('refuses a constraint keyword OpenAPI 3.0 cannot state, rather than dropping it', () => {
    assert.throws(
      () => openApiSchema({ type: 'object', patternProperties: { '^x': { type: 'string' } } }),
      /'patternProperties' has no OpenAPI 3.0 equivalent/
    )
    assert.throws(() => openApiSchema({ type: 'array', contains: { type: 'string' } }), /'contains'/)
    assert.deepEqual(openApiSchema({ type: 'string', $comment: 'a note', examples: ['a'] }), {
      type: 'string',
      example: 'a'
    })
  })
})

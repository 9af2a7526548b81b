import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { loadDeclarations } from '../../../src/engine/declarations/load'
import { emptyDomain, type Domain } from '../../../src/engine/domain'
import { openApiDocument, ref, type OpenApiContribution } from '../../../src/engine/generators/openapi'
import { documentSources } from '../../../src/ops/openapi'
import { domain } from '../../../src/contexts'

const info = { title: 'Internal API', version: '9.9.9' }

/** A fixture resource, loaded from its own folder with the given domain. */
const fixture = (yaml: string, with_: Domain = emptyDomain) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-sources-'))
  fs.writeFileSync(path.join(dir, 'gadgets.yaml'), yaml)
  return loadDeclarations(dir, with_)
}

const GADGETS = `name: gadgets
fields:
  id: { type: id }
  name: { type: string, maxLength: 50 }
access: { find: [public], create: [public], remove: [admin] }
`

describe('engine/openapi: what the document learns from declarations, contexts and the platform', () => {
  it('lists 429 exactly on the methods a declaration rate-limits', () => {
    const limited = fixture(`${GADGETS}rateLimit: { create: registration }\n`, {
      ...emptyDomain,
      rateLimiters: ['registration']
    })
    const document: any = openApiDocument(limited, info)
    assert.ok(document.paths['/gadgets'].post.responses['429'], 'create is limited')
    assert.equal(document.paths['/gadgets'].get.responses['429'], undefined)
    const plain: any = openApiDocument(fixture(GADGETS), info)
    assert.equal(plain.paths['/gadgets'].post.responses['429'], undefined, 'no rateLimit, no 429')
  })

  it('says which methods API keys may never call, from apiKeys', () => {
    const read: any = openApiDocument(fixture(`${GADGETS}apiKeys: read\n`), info)
    assert.match(read.paths['/gadgets'].get.description, /API keys: those with a scope for `find`/)
    assert.match(
      read.paths['/gadgets'].post.description,
      /API keys: none \(`apiKeys: read` in its declaration\)/
    )
  })

  it('takes paths and schemas from the contributions of contexts and platform, in their places', () => {
    const gadgets = fixture(GADGETS)
    const ping: OpenApiContribution = {
      tags: [{ name: 'ping' }],
      paths: () => ({
        '/ping': {
          get: {
            tags: ['ping'],
            responses: {
              '200': { description: 'pong', content: { 'application/json': { schema: ref('Pong') } } }
            }
          }
        }
      }),
      schemas: () => ({ Pong: { type: 'object' } })
    }
    const first: OpenApiContribution = { tags: [{ name: 'first' }], paths: () => ({ '/first': {} }) }
    const document: any = openApiDocument(gadgets, info, {
      domain: { openApi: [ping] },
      platform: { first: [first] }
    })
    assert.deepEqual(Object.keys(document.paths), ['/first', '/gadgets', '/gadgets/{id}', '/ping'])
    assert.deepEqual(
      document.tags.map((tag: { name: string }) => tag.name),
      ['first', 'gadgets', 'ping']
    )
    assert.deepEqual(document.components.schemas.Pong, { type: 'object' })
    assert.equal(openApiDocument(gadgets, info).paths['/ping' as never], undefined, 'nothing without them')
  })

  it('gets the payment webhook from the payments context and the login from the platform', () => {
    const resources = loadDeclarations('src/contexts', domain)
    const bare: any = openApiDocument(resources, info)
    for (const route of ['/payments/webhook', '/authentication', '/health/live'])
      assert.equal(bare.paths[route], undefined, `${route} is no resource`)
    // Without the contexts' contracts the lines are described by the `items` relation alone: not required.
    assert.match(
      bare.components.schemas.Order.properties.items.description,
      /^Unless `\$include` names other/
    )
    assert.ok(!bare.components.schemas.Order.required.includes('items'), 'no contracts, items not promised')
    const served: any = openApiDocument(resources, info, documentSources())
    for (const route of ['/payments/webhook', '/authentication', '/health/live'])
      assert.ok(served.paths[route])
    assert.ok(
      served.components.schemas.Order.required.includes('items'),
      'orders context: an order carries its lines'
    )
    assert.equal(served.components.schemas.PaymentData.properties.paymentMethod.enum, undefined)
    const configured: any = openApiDocument(
      resources,
      info,
      documentSources({ get: (key: string) => (key === 'payments' ? { provider: 'simulated' } : undefined) })
    )
    assert.deepEqual(configured.components.schemas.PaymentData.properties.paymentMethod.enum, [
      'sim_succeed',
      'sim_fail',
      'sim_async',
      'sim_timeout'
    ])
  })
})

import assert from 'node:assert/strict'
import { testServer, userWithRoles } from '../helpers/server'
import { stockedProduct } from '../helpers/commerce'
import { codeOf, graphql } from '../helpers/graphql'

// The document cache (src/engine/graphql/document-cache.ts) through real requests: what is kept is the parse
// and validation of a text, never an answer, an identity or a configuration.
describe('GraphQL: repeated operations over HTTP (document cache)', () => {
  it('answers a repeated operation afresh each time, with its own variables and caller', async () => {
    const { app } = await testServer()
    const admin = await userWithRoles(['admin'])
    const [mug, draft] = await Promise.all([
      stockedProduct(admin, { stock: 1 }),
      stockedProduct(admin, { stock: 0, status: 'draft' })
    ])
    const query = 'query Repeated($id: Int!) { product(id: $id) { id sku status } }'
    const kept = app.get('graphqlDocuments').size
    const first = await graphql(query, { variables: { id: mug.id } })
    assert.equal(app.get('graphqlDocuments').size, kept + 1)
    const second = await graphql(query, { variables: { id: draft.id } })
    const third = await graphql(query, { variables: { id: draft.id }, token: admin.token })
    assert.equal(app.get('graphqlDocuments').size, kept + 1, 'one text, kept once')
    assert.deepEqual(first.data.product, { id: mug.id, sku: mug.sku, status: 'active' })
    assert.equal(codeOf(second), 'NOT_FOUND', 'anonymous callers still see active products only')
    assert.deepEqual(third.data.product, { id: draft.id, sku: draft.sku, status: 'draft' })
    const refused = await graphql(query, { variables: { id: mug.id }, token: 'not-a-token' })
    assert.equal(refused.status, 401, 'the credentials are checked on every request')
  })

  it('refuses an invalid document identically on every request', async () => {
    const invalid = '{ products { data { nam } } orders(limit: 1) { data { items { order { id } } } } }'
    const first = await graphql(invalid)
    const second = await graphql(invalid)
    assert.equal(first.status, 400)
    assert.equal(codeOf(first), 'GRAPHQL_VALIDATION_FAILED')
    assert.equal(second.status, first.status)
    assert.deepEqual(second.errors, first.errors)
    assert.equal(second.data, undefined)
    const syntax = '{ products { '
    assert.deepEqual((await graphql(syntax)).errors, (await graphql(syntax)).errors)
  })

  it('validates a kept document again when the configuration changes', async () => {
    const { app } = await testServer()
    const query = '{ products(limit: 1) { data { category { parent { name } } } } }'
    assert.equal((await graphql(query)).errors, undefined)
    const settings = app.get('graphql')
    app.set('graphql', { ...settings, maxDepth: 3 })
    try {
      const refused = await graphql(query)
      assert.equal(codeOf(refused), 'QUERY_TOO_DEEP')
      assert.equal(refused.errors![0].extensions.maxDepth, 3)
    } finally {
      app.set('graphql', settings)
    }
    assert.equal((await graphql(query)).errors, undefined)
  })

  it('applies the one-mutation rule of an Idempotency-Key to a kept document only when the key is sent', async () => {
    const twice = 'mutation { a: removeProduct(id: 0) { id } b: removeProduct(id: 0) { id } }'
    const keyed = () => graphql(twice, { headers: { 'idempotency-key': 'repeated-operations-1' } })
    const refused = await keyed()
    assert.equal(refused.status, 400)
    assert.equal(refused.errors![0].extensions.field, 'Idempotency-Key')
    const plain = await graphql(twice)
    assert.equal(plain.status, 200, 'without a key the operation runs (and is refused by the service)')
    assert.ok(plain.errors!.every((error) => error.extensions.field !== 'Idempotency-Key'))
    assert.deepEqual((await keyed()).errors, refused.errors)
  })
})

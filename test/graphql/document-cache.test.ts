import assert from 'node:assert/strict'
import { buildSchema, parse, specifiedRules, validate, type ValidationRule } from 'graphql'
import { DocumentCache } from '../../src/engine/graphql/document-cache'
import { operationLimits } from '../../src/engine/graphql/limits'

const schema = buildSchema(`
  type Item { id: Int!, name: String!, parent: Item }
  type Query { item(id: Int!): Item, items: [Item!]! }
`)
const rules = (maxDepth: number): readonly ValidationRule[] => [
  ...specifiedRules,
  operationLimits({ maxDepth, maxCost: 1000 })
]
const shallow = rules(2)
const deep = rules(10)
const cache = (entries = 100, bytes = 100_000) => new DocumentCache(schema, { entries, bytes })
const messages = (errors: readonly { message: string }[]) => errors.map((error) => error.message)

describe('GraphQL document cache (src/engine/graphql/document-cache.ts)', () => {
  it('parses a text once and answers the same document for it afterwards', () => {
    const documents = cache()
    const text = 'query ($id: Int!) { item(id: $id) { name } }'
    const first = documents.parse(text)
    assert.equal(documents.parse(text), first)
    assert.notEqual(documents.parse(`${text} `), first, 'another text, even by a space, is parsed on its own')
    assert.equal(documents.size, 2)
  })

  it('refuses a syntax error every time with the same error, and keeps nothing for it', () => {
    const documents = cache()
    const refusal = () => documents.parse('{ item(id: 1) { ')
    assert.throws(refusal, /Syntax Error: Expected Name, found <EOF>/)
    assert.throws(refusal, /Syntax Error: Expected Name, found <EOF>/)
    assert.equal(documents.size, 0)
  })

  it('refuses an invalid document every time with the same errors as graphql-js', () => {
    const documents = cache()
    const text = '{ item(id: 1) { nope } items { parent { parent { id } } } }'
    const expected = messages(validate(schema, parse(text), shallow))
    assert.equal(expected.length, 2, 'an unknown field and the depth limit')
    const first = documents.validate(schema, documents.parse(text), shallow)
    const second = documents.validate(schema, documents.parse(text), shallow)
    assert.deepEqual(messages(first), expected)
    assert.deepEqual(messages(second), expected)
    assert.deepEqual(
      second.map((error) => error.locations),
      first.map((error) => error.locations)
    )
  })

  it('validates again under another rule set (another configuration) and keeps both answers', () => {
    const documents = cache()
    const document = documents.parse('{ items { parent { parent { id } } } }')
    assert.deepEqual(messages(documents.validate(schema, document, deep)), [])
    assert.match(messages(documents.validate(schema, document, shallow))[0], /4 levels deep; at most 2/)
    assert.deepEqual(messages(documents.validate(schema, document, deep)), [])
  })

  it('answers a document parsed elsewhere (as graphql-ws does) from the validation kept for its text', () => {
    const documents = cache()
    const text = '{ item(id: 1) { nope } }'
    const kept = documents.validate(schema, documents.parse(text), deep)
    assert.equal(documents.validate(schema, parse(text), deep), kept)
    const fresh = '{ items { id } }'
    assert.deepEqual(documents.validate(schema, parse(fresh), deep), [])
    assert.equal(documents.size, 2, 'a text first seen by validate is kept too')
  })

  it('validates against another schema without the cache', () => {
    const documents = cache()
    const other = buildSchema('type Query { thing: Int }')
    const document = documents.parse('{ thing }')
    assert.equal(documents.validate(schema, document, deep).length, 1)
    assert.deepEqual(documents.validate(other, document, deep), [])
  })

  it('keeps at most `entries` documents, the most recently used ones', () => {
    const documents = cache(2)
    const first = documents.parse('{ items { id } }')
    const second = documents.parse('{ items { name } }')
    documents.parse('{ items { id } }')
    documents.parse('{ items { parent { id } } }')
    assert.equal(documents.size, 2)
    assert.equal(documents.parse('{ items { id } }'), first, 'used last but one: still kept')
    assert.notEqual(documents.parse('{ items { name } }'), second, 'the least recently used one was dropped')
    assert.equal(documents.size, 2)
  })

  it('keeps documents within `bytes` (100 per byte of text), and none larger than that', () => {
    const documents = cache(100, 6000)
    const texts = ['a', 'b', 'c', 'd'].map((alias) => `{ ${alias}: items { id name } }`)
    for (const text of texts) documents.parse(text)
    assert.ok(documents.bytes <= 6000, `${documents.bytes} bytes kept`)
    assert.equal(documents.size, Math.floor(6000 / (100 * Buffer.byteLength(texts[0]))))
    const kept = documents.size
    const large = `{ items { ${'id '.repeat(30)}} }`
    assert.notEqual(documents.parse(large), documents.parse(large), 'larger than the whole budget: not kept')
    assert.equal(documents.size, kept)
    assert.ok(documents.bytes <= 6000)
  })

  it('is off with 0 entries: every document is parsed and validated afresh, with the same answers', () => {
    const documents = cache(0)
    const text = '{ item(id: 1) { nope } }'
    assert.notEqual(documents.parse(text), documents.parse(text))
    assert.deepEqual(
      messages(documents.validate(schema, documents.parse(text), deep)),
      messages(validate(schema, parse(text), deep))
    )
    assert.equal(documents.size, 0)
  })
})

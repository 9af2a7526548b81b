import assert from 'node:assert/strict'
import { MAX_NESTING, nestingOf, refuseDocument } from '../../../src/engine/graphql/document-limits'

describe('engine/graphql/document-limits', () => {
  it('counts nested braces, brackets and parentheses', () => {
    assert.equal(nestingOf('{ a }'), 1)
    assert.equal(nestingOf('{ a(where: { b: [1, { c: 2 }] }) { d } }'), 5)
  })

  it('does not count brackets inside strings, block strings or comments', () => {
    assert.equal(nestingOf('{ a(s: "{{{[[[(((\\"{{") }'), 2)
    assert.equal(nestingOf('{ a(s: """ {{{ \\""" {{{ """) }'), 2)
    assert.equal(nestingOf('# {{{{{{\n{ a }'), 1)
  })

  it('refuses a document nested deeper than the parser can take, naming the limit', () => {
    const deep = `{ products { data { ${'a { '.repeat(3000)}${'}'.repeat(3000)} } } }`
    const [error] = refuseDocument(deep, 1_000_000)!
    assert.equal(error.extensions.code, 'DOCUMENT_TOO_DEEP')
    assert.match(error.message, new RegExp(`${MAX_NESTING} levels`))
    assert.equal(refuseDocument('{ products { total } }', 1_000_000), undefined)
  })

  it('refuses a document larger than the configured bytes before counting anything', () => {
    const [error] = refuseDocument(`{ a }${' '.repeat(100)}`, 50)!
    assert.equal(error.extensions.code, 'DOCUMENT_TOO_LARGE')
  })
})

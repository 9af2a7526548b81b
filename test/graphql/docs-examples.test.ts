import assert from 'node:assert/strict'
import fs from 'node:fs'
import { buildSchema, parse, validate } from 'graphql'
import { domain } from '../../src/contexts'
import { loadDeclarationSet } from '../../src/engine/declarations/load'
import { buildGraphqlSchema } from '../../src/engine/graphql/schema'

/** The shipped declarations with `update: [admin]` on products, as the update example supposes. */
const withProductUpdate = () => {
  const { resources } = loadDeclarationSet('src/contexts', domain)
  const products = resources.find((resource) => resource.name === 'products')!
  products.access.update = { admin: products.access.patch.admin }
  return buildGraphqlSchema(resources, domain.contracts)
}

// The examples of docs/graphql.md are operations against the generated schema: each must validate, so the docs
// cannot drift from the declarations.
describe('docs/graphql.md examples', () => {
  const schema = buildSchema(fs.readFileSync('src/generated/schema.graphql', 'utf8'))
  // Operations only: the blocks that quote the schema's own fields (`products(where: …): ProductPage!`) are not.
  const operation = /^\s*(#.*\n\s*)*(query|mutation|subscription)\b/
  const blocks = [...fs.readFileSync('docs/graphql.md', 'utf8').matchAll(/```graphql\n([\s\S]*?)```/g)]
    .map((match) => match[1])
    .filter((block) => operation.test(block))

  it('has examples', () => assert.ok(blocks.length >= 5, `${blocks.length} blocks`))

  it('validates every example against src/generated/schema.graphql', () => {
    const replacing = withProductUpdate()
    // No shipped declaration allows update: its example is checked against the schema it names.
    const problems = blocks.flatMap((block, index) =>
      validate(/\bupdate[A-Z]/.test(block) ? replacing : schema, parse(block)).map(
        (error) => `example ${index + 1}: ${error.message}`
      )
    )
    assert.deepEqual(problems, [])
    assert.ok(
      blocks.some((block) => /updateProduct\(/.test(block)),
      'the update example is checked'
    )
  })
})

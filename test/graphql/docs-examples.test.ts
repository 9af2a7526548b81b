import assert from 'node:assert/strict'
import fs from 'node:fs'
import { buildSchema, parse, validate } from 'graphql'

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
    const problems = blocks.flatMap((block, index) =>
      validate(schema, parse(block)).map((error) => `example ${index + 1}: ${error.message}`)
    )
    assert.deepEqual(problems, [])
  })
})

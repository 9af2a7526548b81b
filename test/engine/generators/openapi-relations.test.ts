import assert from 'node:assert/strict'
import { Validator } from '@seriousme/openapi-schema-validator'
import { loadDeclarations } from '../../../src/engine/declarations/load'
import { openApiDocument } from '../../../src/engine/generators/openapi'
import { domain } from '../../../src/contexts'

const info = { title: 'Internal API', version: '9.9.9' }

describe('engine/openapi: relations', () => {
  it('offers $include on find and get, and describes the included records', async () => {
    const document: any = openApiDocument(loadDeclarations('src/contexts', domain), info)
    const result = await new Validator().validate(document)
    assert.ok(result.valid, JSON.stringify(result.errors))
    for (const operation of [document.paths['/products'].get, document.paths['/products/{id}'].get]) {
      const include = operation.parameters.find((parameter: any) => parameter.name === '$include[]')
      assert.deepEqual(include.schema.items.enum, ['category'])
    }
    assert.equal(
      document.paths['/categories'].get.parameters.some((parameter: any) => parameter.name === '$include[]'),
      false,
      'no relations, no parameter'
    )
    assert.deepEqual(document.components.schemas.Product.properties.category.anyOf[0], {
      $ref: '#/components/schemas/Category'
    })
    assert.equal(document.components.schemas.Product.required.includes('category'), false)
  })

  it('describes a hasMany relation as a list, on the fixtures', () => {
    const document: any = openApiDocument(loadDeclarations('test/fixtures/features'), info)
    assert.deepEqual(document.components.schemas.Post.properties.comments.items, {
      $ref: '#/components/schemas/Comment'
    })
  })
})

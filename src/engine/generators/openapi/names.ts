// Names and small builders the document's parts share: schema references, type and word forms of a resource.
import type { MethodName, ResourceDeclaration } from '../../declarations/declaration'
import type { JsonSchema } from '../../declarations/field-types'
import { typeName } from '../typegen'

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
export const errorRef = (name: string) => ({ $ref: `#/components/responses/${name}` })
export const json = (schema: JsonSchema) => ({ content: { 'application/json': { schema } } })
export const response = (description: string, schema?: JsonSchema) => ({
  description,
  ...(schema && { content: { 'application/json': { schema } } })
})

export const pascal = (name: string) =>
  name
    .split(/[-_]/)
    .filter(Boolean)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join('')

/** order-items -> "order item", for summaries. */
export const recordWords = (resource: ResourceDeclaration) =>
  typeName(resource.name)
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
export const listName = (resource: ResourceDeclaration) => `${typeName(resource.name)}List`
export const createdName = (resource: ResourceDeclaration) => `${typeName(resource.name)}Created`

/** Whether anyone may call the method (a method nobody may call is left out of the document). */
export const offered = (resource: ResourceDeclaration, method: MethodName) =>
  Object.keys(resource.access[method]).length > 0

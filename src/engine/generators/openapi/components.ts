// A resource's component schemas: the record, the create/update and patch bodies, the page, the create answer.
import type { ResourceDeclaration } from '../../declarations/declaration'
import type { JsonSchema } from '../../declarations/field-types'
import { behaviourContract, type BehaviourContract, type ContractSources } from '../behaviour-contract'
import { resourceSchemas } from '../../runtime/schemas'
import { resourceTypeNames } from '../typegen'
import { createdName, listName, offered, ref } from './names'
import { mapValues, openApiSchema } from './schema'
import { withIncluded } from './included'

const READONLY_NOTE =
  'Readonly: only principals granted this field explicitly (access `fields`) may write it.'
const OWNER_NOTE =
  "The record's owner: set to the caller when left out on create; only principals granted it may write it."

/** Data and patch bodies: hidden and virtual fields are write-only; readonly and owner fields say who may write. */
const annotateWritable = (resource: ResourceDeclaration, schema: JsonSchema): JsonSchema => {
  const properties = schema.properties as Record<string, JsonSchema>
  for (const [name, property] of Object.entries(properties)) {
    const field = resource.fields[name]
    if (!field) continue
    if (field.hidden || field.virtual) property.writeOnly = true
    const note = field.owner ? OWNER_NOTE : field.readonly ? READONLY_NOTE : undefined
    if (note) property.description = property.description ? `${property.description}. ${note}` : note
  }
  return schema
}

/** A copy of an object schema with more properties, all required (what a behaviour always adds). */
const withProperties = (schema: JsonSchema, extra: Record<string, JsonSchema>): JsonSchema => {
  if (!Object.keys(extra).length) return schema
  return {
    ...schema,
    required: [...((schema.required as string[]) ?? []), ...Object.keys(extra)],
    properties: { ...(schema.properties as object), ...mapValues(extra, openApiSchema) }
  }
}

/** The create/update body: what behaviours require on create, and the values they accept. */
const dataComponent = (resource: ResourceDeclaration, data: JsonSchema, contract: BehaviourContract) => {
  const properties = data.properties as Record<string, JsonSchema>
  for (const [name, values] of Object.entries(contract.fieldValues))
    if (properties[name]) properties[name] = { ...properties[name], enum: values }
  const required = [...((data.required as string[]) ?? []), ...contract.requiredOnCreate]
  return {
    ...data,
    ...(required.length && { required: [...new Set(required)] }),
    description: `The body of create and update on /${resource.path}.`
  }
}

export const resourceComponents = (
  resource: ResourceDeclaration,
  all: ResourceDeclaration[],
  sources: ContractSources
) => {
  const schemas = resourceSchemas(resource)
  const names = resourceTypeNames(resource)
  const contract = behaviourContract(resource, all, sources)
  const result = withIncluded(
    withProperties(openApiSchema(schemas.result), contract.resultProperties),
    resource,
    all
  )
  // Only the shapes some operation uses: a read-only resource has no data or patch body.
  const components: Record<string, JsonSchema> = {
    [names.result]: {
      ...result,
      description: `A record of /${resource.path}${resource.description ? `: ${resource.description}` : '.'}`
    }
  }
  if (offered(resource, 'create') && Object.keys(contract.createdProperties).length)
    components[createdName(resource)] = {
      ...withProperties(result, contract.createdProperties),
      description: `The answer of create on /${resource.path}: the record and what only this answer shows.`
    }
  if (offered(resource, 'create') || offered(resource, 'update'))
    components[names.data] = dataComponent(
      resource,
      annotateWritable(resource, openApiSchema(schemas.data)),
      contract
    )
  if (offered(resource, 'patch'))
    components[names.patch] = {
      ...annotateWritable(resource, openApiSchema(schemas.patch)),
      description: `The body of patch on /${resource.path}: only the fields to change.`
    }
  if (resource.query.paginate && offered(resource, 'find'))
    components[listName(resource)] = {
      type: 'object',
      description: `A page of /${resource.path}: page on with \`$skip += limit\` until \`skip + data.length >= total\`.`,
      required: ['total', 'limit', 'skip', 'data'],
      additionalProperties: false,
      properties: {
        total: { type: 'integer', minimum: 0, description: 'Every matching record you may see' },
        limit: { type: 'integer', minimum: 0 },
        skip: { type: 'integer', minimum: 0 },
        data: { type: 'array', items: ref(names.result) }
      }
    }
  return components
}

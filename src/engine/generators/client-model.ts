import { METHODS, type ResourceDeclaration } from '../declarations/declaration'
import { fieldTypes, operatorsFor, type JsonSchema } from '../declarations/field-types'
import { resourceSchemas } from '../runtime/schemas'
import type { ClientField, ClientModel, ClientResource } from './client-model-types'

export type * from './client-model-types'

// JSON drops TypeBox's symbol keys, which leaves plain JSON Schema.
const plain = (schema: unknown): JsonSchema => JSON.parse(JSON.stringify(schema))

const clientField = (
  declaration: ResourceDeclaration['fields'][string],
  filterable: boolean
): ClientField => ({
  type: declaration.type,
  managed: !!fieldTypes[declaration.type].managed,
  readonly: !!declaration.readonly,
  optional: !!declaration.optional,
  virtual: !!declaration.virtual,
  owner: !!declaration.owner,
  hidden: !!declaration.hidden,
  ...(declaration.values && { values: declaration.values }),
  ...(filterable && { operators: operatorsFor(declaration) }),
  ...(declaration.to && { to: declaration.to }),
  ...(declaration.description && { description: declaration.description })
})

/**
 * The declarations as clients see them (`GET /declarations.json`): fields, validation schemas, query options,
 * access and state machines — never row conditions or behaviour names. The admin panel builds
 * its lists and forms from this, so a newly declared resource appears without UI code.
 */
export const clientModel = (
  resources: ResourceDeclaration[],
  payments: ClientModel['payments'] = { provider: 'none', methods: [], providers: [] }
): ClientModel => ({
  payments,
  resources: resources.map((resource) => {
    const schemas = resourceSchemas(resource)
    return {
      name: resource.name,
      path: resource.path,
      ...(resource.description && { description: resource.description }),
      fields: Object.fromEntries(
        Object.entries(resource.fields).map(([name, field]) => [
          name,
          clientField(field, resource.query.filter.includes(name))
        ])
      ),
      schemas: { result: plain(schemas.result), data: plain(schemas.data), patch: plain(schemas.patch) },
      query: resource.query,
      access: Object.fromEntries(
        METHODS.map((method) => [
          method,
          Object.fromEntries(
            Object.entries(resource.access[method]).map(([principal, grant]) => [
              principal,
              grant.fields ? { fields: grant.fields } : {}
            ])
          )
        ])
      ) as ClientResource['access'],
      ...(resource.states && { states: resource.states }),
      realtime: resource.realtime,
      softDelete: resource.softDelete
    }
  })
})

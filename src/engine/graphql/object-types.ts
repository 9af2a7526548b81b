import {
  GraphQLBoolean,
  GraphQLFloat,
  GraphQLInt,
  GraphQLString,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  type GraphQLFieldConfig,
  type GraphQLOutputType
} from 'graphql'
import type { ResourceDeclaration } from '../declarations/declaration'
import type { Relation } from '../declarations/relations'
import { fieldType, visibleFields, type EnumRegistry } from './field-types'
import { graphqlNames } from './names'
import { graphqlRelations } from './relations'
import { relationLoader, type GraphqlContext } from './context'
import type { JsonSchema } from '../declarations/field-types'
import { JsonScalar } from './scalars'

/** Properties a behaviour's contract adds to answers (an API key's one-time `key`), by resource name. */
export type ContractProperties = Record<string, Record<string, JsonSchema>>

const SCALAR_OF: Record<string, GraphQLOutputType> = {
  string: GraphQLString,
  integer: GraphQLInt,
  number: GraphQLFloat,
  boolean: GraphQLBoolean
}

/** Contract properties as nullable fields (absent from most answers), unless a field or relation has the name. */
const contractFields = (properties: Record<string, JsonSchema>, taken: Set<string>) =>
  Object.entries(properties)
    .filter(([name]) => !taken.has(name))
    .map(([name, schema]) => [
      name,
      {
        type: SCALAR_OF[String(schema.type)] ?? JsonScalar,
        description: schema.description as string | undefined
      }
    ])

/** A hasMany list is counted as this many records by the cost limit (src/engine/graphql/limits.ts). */
export const HAS_MANY_ESTIMATE = 10

const nonNull = <T extends GraphQLOutputType>(type: T) => new GraphQLNonNull(type)

const relationField = (
  resource: ResourceDeclaration,
  relation: Relation,
  related: ResourceDeclaration,
  relatedType: () => GraphQLObjectType
): GraphQLFieldConfig<any, GraphqlContext> => {
  const many = relation.kind === 'hasMany'
  const key = many ? 'id' : relation.field
  return {
    type: many ? nonNull(new GraphQLList(nonNull(relatedType()))) : relatedType(),
    description: many
      ? `The ${related.name} records referring to this one (through ${relation.field}) that you may read.`
      : `The ${related.name} record ${relation.field} refers to, or null when you may not read it.`,
    extensions: many ? { listSize: HAS_MANY_ESTIMATE } : {},
    resolve: (parent, _args, context) => {
      const value = parent[key]
      if (value === null || value === undefined) return many ? [] : null
      return relationLoader(context, relation, related, resource).load(value)
    }
  }
}

/**
 * The record types: every visible field (never a hidden or input-only one), non-null unless `optional`, plus
 * the relations (src/engine/graphql/relations.ts). Fields are thunks, so types may refer to each other.
 */
export const objectTypes = (
  resources: ResourceDeclaration[],
  enums: EnumRegistry,
  contracts: ContractProperties = {}
) => {
  const types = new Map<string, GraphQLObjectType>()
  const byName = new Map(resources.map((resource) => [resource.name, resource]))
  for (const resource of resources) {
    const fields = () => {
      const own = visibleFields(resource).map(([name, field]) => {
        const type = fieldType(resource, name, field, enums)
        return [name, { type: field.optional ? type : nonNull(type), description: field.description }]
      })
      const related = graphqlRelations(resource, resources)
        .filter((relation) => types.has(relation.resource))
        .map((relation) => [
          relation.name,
          relationField(resource, relation, byName.get(relation.resource)!, () =>
            types.get(relation.resource)!
          )
        ])
      // Never under the name of a declared field, hidden ones included.
      const taken = new Set([...Object.keys(resource.fields), ...related.map(([name]) => name as string)])
      const extra = contractFields(contracts[resource.name] ?? {}, taken)
      return Object.fromEntries([...own, ...related, ...extra])
    }
    types.set(
      resource.name,
      new GraphQLObjectType({ name: graphqlNames(resource).type, description: resource.description, fields })
    )
  }
  return types
}

/** `{total, limit, skip, data}`, as `find` answers over REST. */
export const pageType = (resource: ResourceDeclaration, type: GraphQLObjectType) =>
  new GraphQLObjectType({
    name: `${graphqlNames(resource).type}Page`,
    description: `A page of ${resource.name}: the matching total, the page size and offset, and the records.`,
    fields: {
      total: { type: nonNull(GraphQLInt) },
      limit: { type: nonNull(GraphQLInt) },
      skip: { type: nonNull(GraphQLInt) },
      data: { type: nonNull(new GraphQLList(nonNull(type))) }
    }
  })

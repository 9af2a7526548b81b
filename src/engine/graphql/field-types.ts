import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLFloat,
  GraphQLInt,
  GraphQLString,
  type GraphQLScalarType
} from 'graphql'
import type { FieldDeclaration, FieldTypeName, ResourceDeclaration } from '../declarations/declaration'
import { DateTimeScalar, JsonScalar } from './scalars'
import { capitalize, graphqlNames, isGraphqlName } from './names'

/** One entry per declared field type (enums are made per field, below). Ids and references are Ints, as in JSON. */
const scalars: Record<Exclude<FieldTypeName, 'enum'>, GraphQLScalarType> = {
  id: GraphQLInt,
  string: GraphQLString,
  text: GraphQLString,
  password: GraphQLString,
  integer: GraphQLInt,
  number: GraphQLFloat,
  boolean: GraphQLBoolean,
  'date-time': DateTimeScalar,
  json: JsonScalar,
  ref: GraphQLInt,
  createdAt: DateTimeScalar,
  updatedAt: DateTimeScalar,
  version: GraphQLInt
}

/** Enum types by name, shared by a resource's output, filter and input types. */
export type EnumRegistry = Map<string, GraphQLEnumType>

/** `orders.status` -> `OrderStatus`; values that are not GraphQL names (none shipped) keep the field a String. */
export const fieldType = (
  resource: ResourceDeclaration,
  name: string,
  field: FieldDeclaration,
  enums: EnumRegistry
) => {
  if (field.type !== 'enum') return scalars[field.type]
  const values = field.values ?? []
  if (!values.length || !values.every(isGraphqlName)) return GraphQLString
  const typeName = `${graphqlNames(resource).type}${capitalize(name)}`
  if (!enums.has(typeName)) {
    enums.set(
      typeName,
      new GraphQLEnumType({
        name: typeName,
        values: Object.fromEntries(values.map((value) => [value, { value }]))
      })
    )
  }
  return enums.get(typeName)!
}

/** Fields a reader may see: neither hidden nor input-only. */
export const visibleFields = (resource: ResourceDeclaration) =>
  Object.entries(resource.fields).filter(([, field]) => !field.hidden && !field.virtual)

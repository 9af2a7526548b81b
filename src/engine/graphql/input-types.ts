import {
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLString,
  type GraphQLInputFieldConfig
} from 'graphql'
import type { FieldDeclaration, MethodName, ResourceDeclaration } from '../declarations/declaration'
import { fieldTypes, operatorsFor } from '../declarations/field-types'
import { defaultWritableFields } from '../runtime/policy'
import { dataSchema } from '../runtime/schemas'
import { keysMayCall } from '../runtime/api-key-use'
import { fieldType, type EnumRegistry } from './field-types'
import { capitalize, graphqlNames } from './names'

export const SortDirection = new GraphQLEnumType({
  name: 'SortDirection',
  values: { ASC: { value: 1 }, DESC: { value: -1 } }
})

/** `$in` -> `in`: the declared operators of one field, plus `eq` (plain equality). */
const operatorName = (operator: string) => operator.slice(1)

/** `ProductWhere { name: ProductNameFilter, … }`: exactly the declared filters, each with its type's operators. */
export const whereType = (resource: ResourceDeclaration, enums: EnumRegistry) => {
  const { type } = graphqlNames(resource)
  if (!resource.query.filter.length) return undefined
  const fields = Object.fromEntries(
    resource.query.filter.map((name) => {
      const field = resource.fields[name]
      const value = fieldType(resource, name, field, enums)
      const operators: Record<string, GraphQLInputFieldConfig> = { eq: { type: value } }
      for (const operator of operatorsFor(field)) {
        const list = operator === '$in' || operator === '$nin'
        operators[operatorName(operator)] = {
          type:
            operator === '$ilike' ? GraphQLString : list ? new GraphQLList(new GraphQLNonNull(value)) : value
        }
      }
      const filter = new GraphQLInputObjectType({
        name: `${type}${capitalize(name)}Filter`,
        fields: operators
      })
      return [name, { type: filter }]
    })
  )
  return new GraphQLInputObjectType({
    name: `${type}Where`,
    description: `Conditions on the declared filters of ${resource.name}; all must hold.`,
    fields
  })
}

/** `[ProductOrderBy!]`: the declared sort fields in the order given; `id` always breaks ties. */
export const orderByType = (resource: ResourceDeclaration) => {
  const { type } = graphqlNames(resource)
  if (!resource.query.sort.length) return undefined
  const field = new GraphQLEnumType({
    name: `${type}SortField`,
    values: Object.fromEntries(resource.query.sort.map((name) => [name, { value: name }]))
  })
  return new GraphQLInputObjectType({
    name: `${type}OrderBy`,
    fields: {
      field: { type: new GraphQLNonNull(field) },
      direction: { type: SortDirection, defaultValue: 1 }
    }
  })
}

/** The field lists of the grants of a method, and the default writable fields when API keys may call it. */
const grantedFields = (resource: ResourceDeclaration, method: MethodName) => {
  const defaults = defaultWritableFields(resource)
  const lists = Object.values(resource.access[method]).map((grant) => grant.fields ?? defaults)
  if (keysMayCall(resource, method)) lists.push(defaults)
  return lists
}

/**
 * The fields anyone may write with this method: the union of its grants' `fields` (or the default writable
 * fields), and the default writable fields when API keys may call it. Which of them a given caller may write is
 * the service's decision, as over REST (a field the caller may not write is a BAD_USER_INPUT naming it).
 */
export const writableByAnyone = (resource: ResourceDeclaration, method: MethodName) => {
  const names = new Set(grantedFields(resource, method).flat())
  return Object.keys(resource.fields).filter((name) => names.has(name))
}

/**
 * The fields a client must send to create or replace a record, non-null in the input type: those REST's body
 * schema requires (neither optional, defaulted, virtual, server-set nor the owner, which the caller becomes) and
 * those a behaviour requires on create (`requiredOnCreate`: an order's `items`), unless the server fills them
 * (readonly, derived) or a caller the method admits may not write them (it could then never send them).
 */
export const requiredFields = (
  resource: ResourceDeclaration,
  method: 'create' | 'update',
  requiredOnCreate: readonly string[] = []
) => {
  const schema = dataSchema(resource, { partial: false }) as { required?: string[] }
  const lists = grantedFields(resource, method)
  const required = new Set([...(schema.required ?? []), ...(method === 'create' ? requiredOnCreate : [])])
  return Object.keys(resource.fields).filter((name) => {
    const field = resource.fields[name]
    if (!required.has(name) || field.readonly || field.derived) return false
    return lists.length > 0 && lists.every((list) => list.includes(name))
  })
}

type DataMethod = 'create' | 'update' | 'patch'

/** A field the declaration requires on create: neither optional, defaulted nor virtual. */
const declaredRequired = (field: FieldDeclaration) =>
  !field.optional && field.default === undefined && !field.virtual

/** The declaration's constraints in words, for an input field's description (the service enforces them). */
const constraints = (resource: ResourceDeclaration, name: string, required: boolean) => {
  const field = resource.fields[name]
  const schema: Record<string, any> = field.type === 'json' ? {} : fieldTypes[field.type].schema(field)
  const parts = [
    schema.minLength !== undefined && `at least ${schema.minLength} characters`,
    schema.maxLength !== undefined && `at most ${schema.maxLength} characters`,
    schema.pattern !== undefined && schema.pattern !== '^(?!0000)' && `matches ${schema.pattern}`,
    schema.format !== undefined && `format ${schema.format}`,
    schema.minimum !== undefined && `>= ${schema.minimum}`,
    schema.maximum !== undefined && `<= ${schema.maximum}`,
    field.type === 'json' && field.schema && 'validated against the declared JSON schema',
    // Required but optional in the type: some caller may not write it (the service answers naming it).
    required && 'required'
  ].filter(Boolean)
  const text = [field.description, parts.length ? `Constraints: ${parts.join('; ')}.` : ''].filter(Boolean)
  return text.length ? text.join(' — ') : undefined
}

/**
 * `ProductCreateInput`, `ProductUpdateInput`, `ProductPatchInput`: the fields anyone may write with the method.
 * On create and update (a replacement) the fields every caller must send are non-null, so GraphQL refuses a
 * request without them before any service runs; the rest, and every patch field, are optional. Constraints and
 * per-caller field rules are checked by the service and answered with the field named, as over REST.
 */
export const dataType = (
  resource: ResourceDeclaration,
  method: DataMethod,
  enums: EnumRegistry,
  requiredOnCreate: readonly string[] = []
) => {
  const names = writableByAnyone(resource, method)
  if (!names.length) return undefined
  const nonNull = new Set(method === 'patch' ? [] : requiredFields(resource, method, requiredOnCreate))
  // Required on create though optional in the type (some caller may not write it): said in the description.
  const described = (name: string) =>
    method === 'create' && !nonNull.has(name) && declaredRequired(resource.fields[name])
  return new GraphQLInputObjectType({
    name: `${graphqlNames(resource).type}${capitalize(method)}Input`,
    fields: Object.fromEntries(
      names.map((name) => {
        const type = fieldType(resource, name, resource.fields[name], enums)
        return [
          name,
          {
            type: nonNull.has(name) ? new GraphQLNonNull(type) : type,
            description: constraints(resource, name, described(name))
          }
        ]
      })
    )
  })
}

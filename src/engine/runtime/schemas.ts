import { Type, type TSchema } from '@sinclair/typebox'
import type { FieldDeclaration, ResourceDeclaration } from '../declarations/declaration'
import {
  INTEGER_MAX,
  INTEGER_MIN,
  fieldTypes,
  operatorsFor,
  type JsonSchema
} from '../declarations/field-types'

export interface ResourceSchemas {
  /** A record as returned to clients: hidden fields left out. */
  result: TSchema
  /** The body of create (and of update, but for `version`). */
  data: TSchema
  /** The body of update: create's, plus `version` as a precondition on a versioned resource. */
  update: TSchema
  /** The body of patch (every field optional; `version` is a precondition). */
  patch: TSchema
  /** The query of find (and of get, patch and remove with an id). */
  query: TSchema
}

const nullable = (schema: JsonSchema, field: FieldDeclaration): TSchema =>
  (field.optional ? Type.Union([Type.Unsafe(schema), Type.Null()]) : Type.Unsafe(schema)) as TSchema

const describe = (schema: JsonSchema, field: FieldDeclaration) =>
  field.description ? { ...schema, description: field.description } : schema

/**
 * Query values keep the type (and enum) but not length or pattern rules: `$ilike: '%abc%'` is no sku. Integers
 * keep the column's range, not the declared bounds: `stock[$lt]=0` is a fair question.
 */
const queryValueSchema = (field: FieldDeclaration, { nullable = false } = {}): JsonSchema => {
  const schema = fieldTypes[field.type].schema(field)
  const {
    type,
    enum: values,
    format,
    pattern
  } = schema as {
    type?: string
    enum?: unknown[]
    format?: string
    pattern?: string
  }
  return {
    ...(type && { type: nullable ? [type, 'null'] : type }),
    ...(type === 'integer' && { minimum: INTEGER_MIN, maximum: INTEGER_MAX }),
    ...(values && { enum: nullable ? [...values, null] : values }),
    ...(format === 'date-time' && { format, pattern })
  }
}

/** Field types whose values may be any text, "null" and "" included. */
const TEXTUAL = new Set(['string', 'text', 'password'])

/**
 * The filters whose REST text `null` (or nothing, `?readAt=`, as Feathers' REST client sends null) means null:
 * optional fields whose values are never that text (dates, numbers, references, enums without such a value).
 * On a string field it stays text; Socket.io clients send null itself.
 */
export const nullTextFilters = (resource: ResourceDeclaration): string[] =>
  resource.query.filter.filter((name) => {
    const field = resource.fields[name]
    return field.optional && !TEXTUAL.has(field.type) && !(field.values ?? []).includes('null')
  })

const writableFields = (resource: ResourceDeclaration) =>
  Object.entries(resource.fields).filter(([, field]) => !fieldTypes[field.type].managed)

export const resultSchema = (resource: ResourceDeclaration): TSchema => {
  const visible = Object.entries(resource.fields).filter(([, field]) => !field.hidden && !field.virtual)
  const properties = Object.fromEntries(
    visible.map(([name, field]) => [
      name,
      nullable(describe(fieldTypes[field.type].schema(field), field), field)
    ])
  )
  if (resource.softDelete)
    properties.deletedAt = Type.Union([Type.String({ format: 'date-time' }), Type.Null()])
  return Type.Object(properties, { $id: `${resource.name}`, additionalProperties: false })
}

export const dataSchema = (
  resource: ResourceDeclaration,
  { partial, precondition = partial }: { partial: boolean; precondition?: boolean }
): TSchema => {
  const properties: Record<string, TSchema> = {}
  for (const [name, field] of writableFields(resource)) {
    const schema = nullable(describe(fieldTypes[field.type].schema(field), field), field)
    // The owner field is set from the caller when left out (hooks/authorize.ts).
    const required =
      !partial && !field.optional && field.default === undefined && !field.owner && !field.virtual
    properties[name] = required ? schema : Type.Optional(schema)
  }
  if (precondition && resource.fields.version) {
    properties.version = Type.Optional(
      Type.Integer({ minimum: 1, maximum: INTEGER_MAX, description: 'Expected current version' })
    )
  }
  return Type.Object(properties, {
    $id: `${resource.name}${partial ? 'Patch' : precondition ? 'Update' : 'Data'}`,
    additionalProperties: false
  })
}

/** `$include`: declared relations only (src/engine/pipeline/include-relations.ts reads it before validation). */
const includeSchema = (resource: ResourceDeclaration): Record<string, TSchema> => {
  const names = Object.keys(resource.relations ?? {})
  if (!names.length) return {}
  return {
    $include: Type.Optional(
      Type.Array(Type.String({ enum: names }), {
        maxItems: names.length,
        uniqueItems: true,
        description: `Related records to include: ${names.join(', ')}`
      })
    )
  }
}

export const querySchema = (resource: ResourceDeclaration): TSchema => {
  const properties: Record<string, TSchema> = {}
  for (const name of resource.query.filter) {
    const field = resource.fields[name]
    const value = Type.Unsafe(queryValueSchema(field)) as TSchema
    // An optional field may be asked for being unset: `{readAt: null}`, `{readAt: {$ne: null}}`.
    const equal = field.optional
      ? (Type.Unsafe(queryValueSchema(field, { nullable: true })) as TSchema)
      : value
    const operators: Record<string, TSchema> = {}
    for (const operator of operatorsFor(field)) {
      const operand = operator === '$ne' ? equal : value
      operators[operator] = Type.Optional(
        ['$in', '$nin'].includes(operator) ? Type.Array(value, { maxItems: 100 }) : operand
      )
    }
    const operatorObject = Type.Object(operators, { additionalProperties: false, minProperties: 1 })
    properties[name] = Type.Optional(
      Object.keys(operators).length ? Type.Union([equal, operatorObject]) : equal
    ) as TSchema
  }
  const sortable = Object.fromEntries(
    resource.query.sort.map((name) => [name, Type.Optional(Type.Integer({ enum: [1, -1] }))])
  )
  const selectable = Object.keys(resource.fields).filter(
    (name) => !resource.fields[name].hidden && !resource.fields[name].virtual
  )
  return Type.Object(
    {
      ...properties,
      $limit: Type.Optional(Type.Integer({ minimum: 0, maximum: INTEGER_MAX })),
      $skip: Type.Optional(Type.Integer({ minimum: 0, maximum: INTEGER_MAX })),
      $sort: Type.Optional(Type.Object(sortable, { additionalProperties: false })),
      $select: Type.Optional(Type.Array(Type.String({ enum: selectable }), { maxItems: selectable.length })),
      ...includeSchema(resource)
    },
    { $id: `${resource.name}Query`, additionalProperties: false }
  )
}

export const resourceSchemas = (resource: ResourceDeclaration): ResourceSchemas => ({
  result: resultSchema(resource),
  data: dataSchema(resource, { partial: false }),
  update: dataSchema(resource, { partial: false, precondition: true }),
  patch: dataSchema(resource, { partial: true }),
  query: querySchema(resource)
})

// JSON Schema (draft-07, as TypeBox and ajv speak it) -> OpenAPI 3.0 Schema Object. The schemas are converted
// from the very JSON schemas the validators use (src/engine/runtime/schemas.ts), so the document cannot drift.
import type { JsonSchema } from '../../declarations/field-types'
import { checkConvertible } from './keywords'

/** The keywords a 3.0 Schema Object may have; anything else (`$id`, `const`, `if`, …) is invalid there. */
const KEYWORDS = new Set([
  'title',
  'description',
  'type',
  'format',
  'enum',
  'default',
  'example',
  'multipleOf',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'maxProperties',
  'minProperties',
  'required',
  'properties',
  'additionalProperties',
  'items',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  'nullable',
  'readOnly',
  'writeOnly',
  'deprecated',
  '$ref'
])

const ANNOTATIONS = ['title', 'description', 'default', 'example', 'deprecated', 'readOnly', 'writeOnly']

/** 3.0 has no `type: 'null'`; this is the usual spelling of "only null". */
export const NULL_ONLY: JsonSchema = { type: 'object', nullable: true, enum: [null] }

const isNullType = (schema: unknown) => (schema as JsonSchema | null)?.type === 'null'

const enumType = (values: unknown[]) => {
  if (values.every((value) => typeof value === 'string')) return 'string'
  if (values.every((value) => typeof value === 'boolean')) return 'boolean'
  if (values.every((value) => Number.isInteger(value))) return 'integer'
  if (values.every((value) => typeof value === 'number')) return 'number'
  return undefined
}

/**
 * `nullable` needs a `type` beside it (ajv refuses it otherwise), and an enum admits null only when it lists
 * null — so a nullable enum lists it too. A schema without a type that is not "anything" becomes `anyOf`.
 */
const withNull = (base: JsonSchema): JsonSchema => {
  // Anything (only annotations, no constraint) already includes null.
  if (Object.keys(base).every((key) => ANNOTATIONS.includes(key))) return base
  const values = Array.isArray(base.enum) ? (base.enum as unknown[]) : undefined
  const type = typeof base.type === 'string' ? base.type : values && enumType(values)
  if (type) return { ...base, type, nullable: true, ...(values && { enum: [...values, null] }) }
  const branches = Object.keys(base).length === 1 && Array.isArray(base.anyOf) ? base.anyOf : [base]
  return { anyOf: [...branches, NULL_ONLY] }
}

export const mapValues = (object: unknown, convert: (value: unknown) => JsonSchema) =>
  Object.fromEntries(Object.entries(object as JsonSchema).map(([key, value]) => [key, convert(value)]))

/** One keyword in 3.0 terms: dropped, kept, or converted (subschemas recursively). */
const keyword = (key: string, value: unknown): JsonSchema => {
  if (key.startsWith('x-')) return { [key]: value }
  if (key === 'examples' && Array.isArray(value) && value.length) return { example: value[0] }
  if (!KEYWORDS.has(key)) return checkConvertible(key)
  switch (key) {
    case 'properties':
      return { properties: mapValues(value, openApiSchema) }
    case 'items':
      return { items: Array.isArray(value) ? { anyOf: value.map(openApiSchema) } : openApiSchema(value) }
    case 'additionalProperties':
      return { [key]: typeof value === 'boolean' ? value : openApiSchema(value) }
    case 'allOf':
    case 'anyOf':
    case 'oneOf':
      return { [key]: (value as unknown[]).map(openApiSchema) }
    case 'not':
      return { not: openApiSchema(value) }
    case 'required':
      // 3.0 wants at least one entry; an empty list says nothing anyway.
      return (value as string[]).length ? { required: value } : {}
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      // draft-07's number form is 3.0's bound plus a boolean.
      return typeof value === 'number'
        ? { [key === 'exclusiveMinimum' ? 'minimum' : 'maximum']: value, [key]: true }
        : { [key]: value }
    case '$ref':
      // A declaration's own `$ref` points into its own schema, which is not part of this document.
      return typeof value === 'string' && value.startsWith('#/components/') ? { $ref: value } : {}
  }
  return { [key]: value }
}

/** Converts one JSON schema: null unions become `nullable`, `const` an enum, unknown keywords are dropped. */
export const openApiSchema = (input: unknown): JsonSchema => {
  if (input === false) return { not: {} }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return {}
  const source = input as JsonSchema
  for (const key of ['anyOf', 'oneOf']) {
    const branches = source[key]
    if (!Array.isArray(branches) || !branches.some(isNullType)) continue
    const { [key]: _branches, ...siblings } = source
    const rest = branches.filter((branch) => !isNullType(branch))
    if (!rest.length) return NULL_ONLY
    // TypeBox puts a field's description on the non-null branch; hoisting it keeps it on the property.
    const base = rest.length === 1 ? { ...siblings, ...rest[0] } : { ...siblings, [key]: rest }
    return withNull(openApiSchema(base))
  }
  if (Array.isArray(source.type)) {
    const { type: types, ...rest } = source as { type: string[] }
    const concrete = types.filter((type) => type !== 'null')
    if (!concrete.length) return NULL_ONLY
    const base =
      concrete.length === 1
        ? { ...rest, type: concrete[0] }
        : { ...rest, anyOf: concrete.map((type) => ({ type })) }
    return types.includes('null') ? withNull(openApiSchema(base)) : openApiSchema(base)
  }
  if (isNullType(source)) return NULL_ONLY
  const output: JsonSchema = Object.assign(
    {},
    ...Object.entries(source).map(([key, value]) => keyword(key, value))
  )
  if ('const' in source) output.enum = [source.const]
  return output
}

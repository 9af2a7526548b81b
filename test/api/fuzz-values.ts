// Values generated from the OpenAPI document's schemas: valid ones (as far as a schema says), and the hostile
// shapes a stranger sends (wrong types, out-of-range numbers, huge strings, NUL, unknown and prototype keys,
// deep nesting).
import type { Random } from './fuzz-random'

export type Schema = Record<string, any>

export interface ValueContext {
  random: Random
  /** The OpenAPI document's `components.schemas`, for `$ref`. */
  schemas: Record<string, Schema>
  /** Ids of records the fuzz test made itself: refs point at them mostly, so rows of others stay untouched. */
  ids: number[]
}

export const resolve = (schema: Schema | undefined, schemas: Record<string, Schema>): Schema => {
  let current = schema ?? {}
  while (current.$ref) current = schemas[String(current.$ref).split('/').pop()!]
  return current
}

/** Strings for the patterns the declarations use; any other pattern gets a plain word (maybe invalid). */
const PATTERN_SAMPLES = ['US', 'en', 'en-GB', '+1 555 0100', 'products', 'orders', 'iak_x', 'abc']

const word = (random: Random, min: number, max: number) =>
  Array.from({ length: random.int(min, max) }, () => String.fromCharCode(random.int(97, 122))).join('')

const validString = (schema: Schema, { random }: ValueContext) => {
  if (schema.format === 'email') return `fuzz.${word(random, 4, 8)}@example.com`
  if (schema.format === 'date-time') return new Date(Date.UTC(2026, 0, random.int(1, 700))).toISOString()
  if (schema.pattern) {
    const pattern = new RegExp(schema.pattern)
    const fits = PATTERN_SAMPLES.filter((sample) => pattern.test(sample))
    if (fits.length) return random.pick(fits)
  }
  const min = schema.minLength ?? 1
  const max = Math.max(min, Math.min(schema.maxLength ?? min + 12, min + 12))
  return word(random, min, max)
}

const validNumber = (schema: Schema, context: ValueContext) => {
  const { random } = context
  const integer = schema.type === 'integer'
  // An id or a ref: mostly one of ours.
  if (
    integer &&
    schema.minimum === 1 &&
    schema.maximum === undefined &&
    context.ids.length &&
    random.chance(0.7)
  )
    return random.pick(context.ids)
  const low = schema.minimum ?? (schema.maximum !== undefined ? schema.maximum - 1000 : 0)
  const high = schema.maximum ?? low + 1000
  const value = integer ? random.int(Math.ceil(low), Math.floor(high)) : low + random.next() * (high - low)
  if (schema.exclusiveMinimum && value <= low) return integer ? low + 1 : low + 0.5
  return value
}

/** Fields the document says only some principals may write: left out of most valid bodies. */
const restricted = (property: Schema) =>
  /^Readonly:|Readonly: only|The record's owner/.test(property.description ?? '')

const validObject = (schema: Schema, context: ValueContext, depth: number) => {
  const { random } = context
  const required = new Set<string>(schema.required ?? [])
  const minimal = random.chance(0.4)
  const result: Record<string, unknown> = {}
  for (const [name, property] of Object.entries<Schema>(schema.properties ?? {})) {
    const wanted = !minimal && random.chance(restricted(property) || name === 'version' ? 0.1 : 0.5)
    if (required.has(name) || wanted) result[name] = validValue(property, context, depth + 1)
  }
  return result
}

/** A value the schema accepts (best effort: patterns it does not know may miss). */
export const validValue = (input: Schema | undefined, context: ValueContext, depth = 0): unknown => {
  const { random } = context
  const schema = resolve(input, context.schemas)
  if (schema.nullable && random.chance(0.1)) return null
  if (Array.isArray(schema.enum)) return random.pick(schema.enum.filter((value: unknown) => value !== null))
  const branches = schema.oneOf ?? schema.anyOf
  if (Array.isArray(branches)) return validValue(random.pick(branches), context, depth)
  if (Array.isArray(schema.allOf)) return validValue(schema.allOf[0], context, depth)
  switch (schema.type) {
    case 'string':
      return validString(schema, context)
    case 'integer':
    case 'number':
      return validNumber(schema, context)
    case 'boolean':
      return random.chance(0.5)
    case 'array': {
      const min = schema.minItems ?? 0
      const count = random.int(min, Math.max(min, Math.min(schema.maxItems ?? min + 3, min + 3)))
      const items = Array.from({ length: count }, () => validValue(schema.items, context, depth + 1))
      return schema.uniqueItems
        ? [...new Map(items.map((item) => [JSON.stringify(item), item])).values()]
        : items
    }
    case 'object':
      return validObject(schema, context, depth)
  }
  return depth > 2 ? 'x' : word(random, 1, 8)
}

const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf']

/** Values that break a type, a range or a size, whatever the field. */
const hostileValues = (random: Random): unknown[] => [
  2147483648,
  -2147483649,
  Number.MAX_SAFE_INTEGER + 2,
  1e308,
  -1,
  0,
  1.5,
  '',
  'x'.repeat(random.pick([300, 5_000, 70_000])),
  `nul\u0000inside`,
  '\u0000',
  true,
  [],
  {},
  [1, 'a', null],
  { $gt: 1 },
  'null',
  '2147483648',
  '１２３',
  '\ud800'
]

export const nested = (depth: number): unknown => {
  let value: unknown = 1
  for (let i = 0; i < depth; i++) value = { a: value }
  return value
}

/** The JSON text of a hostile body built from a valid one, with a name for the report. */
export const HOSTILE_BODIES = [
  'wrong value',
  'wrong value',
  'wrong value',
  'nul',
  'unknown key',
  'many keys',
  'deep nesting',
  'not an object',
  'prototype key',
  'malformed json'
] as const

export const hostileBody = (
  valid: unknown,
  random: Random,
  kind: (typeof HOSTILE_BODIES)[number]
): { kind: string; text: string } => {
  const object = valid && typeof valid === 'object' && !Array.isArray(valid) ? { ...(valid as object) } : {}
  const keys = Object.keys(object)
  const anyKey = () => (keys.length ? random.pick(keys) : 'name')
  const body = object as Record<string, unknown>
  switch (kind) {
    case 'wrong value':
      body[anyKey()] = random.pick(hostileValues(random))
      break
    case 'nul':
      body[anyKey()] = `a\u0000b`
      if (random.chance(0.3)) body['k\u0000'] = 1
      break
    case 'unknown key':
      body[random.pick(['zzUnknown', 'id', 'createdAt', 'version', '$limit', 'password'])] = 1
      break
    case 'many keys':
      for (let i = 0; i < random.pick([50, 2_000]); i++) body[`k${i}`] = i
      break
    case 'deep nesting':
      body[anyKey()] = random.chance(0.5) ? nested(random.pick([50, 2_000])) : [[[[[[[[[[1]]]]]]]]]]
      break
    case 'not an object': {
      const texts = ['[]', '"text"', '42', 'null', 'true', `[${JSON.stringify(valid)}]`, '1e400']
      return { kind, text: random.pick(texts) }
    }
    case 'prototype key': {
      const name = random.pick(PROTOTYPE_NAMES)
      // Written as text: an object literal would set the prototype, not an own `__proto__` key.
      const rest = JSON.stringify(body).slice(1)
      return { kind, text: `{"${name}":{"roles":["admin"],"x":1}${rest === '}' ? '}' : `,${rest}`}` }
    }
    case 'malformed json':
      return { kind, text: random.pick(['{"a":', '{', 'not json', '{"a":1}}', '\u0000']) }
  }
  return { kind, text: JSON.stringify(body) }
}

export { PROTOTYPE_NAMES }

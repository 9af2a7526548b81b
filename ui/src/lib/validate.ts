import { Validator, type OutputUnit } from '@cfworker/json-schema'
import type { FormErrors } from './errors'

// A schema from /declarations.json becomes a validator once. @cfworker/json-schema interprets schemas without
// eval, so it runs under the pages' CSP (no 'unsafe-eval'), unlike ajv's compiled validators.
const validators = new WeakMap<object, Validator>()

// Errors that only say "something below failed": the errors below say what.
const SUMMARIES = new Set(['properties', 'items', 'anyOf', 'oneOf', 'allOf', 'false', '$ref'])

const path = (location: string) => location.replace(/^#\/?/, '').split('/').filter(Boolean)
const quoted = (text: string) => /"([^"]+)"/.exec(text)?.[1] ?? ''
const numbers = (text: string) => text.match(/-?\d+(\.\d+)?/g) ?? []

/** The field an error is about and what is wrong with it, in the server's words (`must be >= 0`). */
const describe = ({ keyword, instanceLocation, error }: OutputUnit): [string, string] => {
  const at = path(instanceLocation)
  const [first, second] = numbers(error)
  switch (keyword) {
    case 'required':
      return [[...at, quoted(error)].join('.'), 'is required']
    case 'additionalProperties':
      return [[...at, quoted(error)].join('.'), 'is not a known field']
    case 'minLength':
      return [at.join('.'), `must have at least ${second} characters`]
    case 'maxLength':
      return [at.join('.'), `must have at most ${second} characters`]
    case 'minimum':
    case 'exclusiveMinimum':
      return [at.join('.'), `must be ${keyword === 'minimum' ? '>=' : '>'} ${second ?? first}`]
    case 'maximum':
    case 'exclusiveMaximum':
      return [at.join('.'), `must be ${keyword === 'maximum' ? '<=' : '<'} ${second ?? first}`]
    case 'enum': {
      const values = /\[(.*)\]/.exec(error)?.[1]
      return [
        at.join('.'),
        values ? `must be one of ${values.replace(/"/g, '').replace(/,/g, ', ')}` : 'is not allowed'
      ]
    }
    case 'pattern':
      return [at.join('.'), 'does not have the required format']
    case 'format':
      return [at.join('.'), 'is not valid']
    case 'type':
      return [at.join('.'), `must be ${/Expected "([^"]+)"/.exec(error)?.[1] ?? 'of another type'}`]
    case 'minItems':
      return [at.join('.'), `must have at least ${second} items`]
    case 'maxItems':
      return [at.join('.'), `must have at most ${second} items`]
    default:
      return [at.join('.'), 'is not valid']
  }
}

/**
 * Checks a body against the same JSON schema the server validates it with, naming fields as the server does
 * (dotted paths such as `items.0.quantity`): `null` when nothing is wrong.
 */
export const validate = (schema: object, data: unknown): FormErrors | null => {
  let validator = validators.get(schema)
  if (!validator) validators.set(schema, (validator = new Validator(schema as any, '7', false)))
  const result = validator.validate(data)
  if (result.valid) return null
  const fields: Record<string, string> = {}
  for (const unit of result.errors) {
    if (SUMMARIES.has(unit.keyword)) continue
    // The `null` branch of an optional field's `anyOf`: the other branch's error says what is wrong.
    if (unit.keyword === 'type' && /Expected "null"/.test(unit.error)) continue
    const [field, text] = describe(unit)
    // The first error of a field wins: in `anyOf [string, null]` the string's rule comes first.
    fields[field || '_'] ??= text
  }
  return { message: 'Please correct the marked fields', fields }
}

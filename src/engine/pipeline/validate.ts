import { BadRequest } from '@feathersjs/errors'
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { ErrorObject, ValidateFunction } from 'ajv'
import type { ResourceSchemas } from '../runtime/schemas'
import { dataValidator, queryValidator } from '../validators'

export interface FieldError {
  field: string
  message: string
}

const fieldPath = (error: ErrorObject) => {
  const base = error.instancePath.split('/').slice(1)
  if (error.keyword === 'additionalProperties') base.push(error.params.additionalProperty)
  if (error.keyword === 'required') base.push(error.params.missingProperty)
  return base.join('.') || '(root)'
}

const describe = (error: ErrorObject, unknownWord: string) => {
  if (error.keyword === 'additionalProperties') return unknownWord
  if (error.keyword === 'required') return 'is required'
  if (error.keyword === 'enum')
    return `must be one of ${(error.params.allowedValues as unknown[]).join(', ')}`
  return error.message ?? error.keyword
}

/**
 * ajv reports every branch of a union (`value | { $gt: … }`); keep the branch that fits what was sent:
 * an operator object's errors when there are any, the plain value's otherwise.
 */
const relevant = (errors: ErrorObject[]) => {
  const concrete = errors.filter((error) => error.keyword !== 'anyOf')
  const objectBranch = (error: ErrorObject) => /\/anyOf\/1\//.test(error.schemaPath)
  const valueBranch = (error: ErrorObject) => /\/anyOf\/0\//.test(error.schemaPath)
  // Only union errors look at their siblings: one error per unknown key stays linear, not quadratic.
  const siblings = (error: ErrorObject) =>
    concrete.filter((other) => other !== error && other.instancePath.startsWith(error.instancePath))
  return concrete.filter((error) => {
    if (valueBranch(error))
      return !siblings(error).some((other) => objectBranch(other) && other.keyword !== 'type')
    if (objectBranch(error) && error.keyword === 'type') return !siblings(error).some(valueBranch)
    return true
  })
}

export const fieldErrors = (validate: ValidateFunction, unknownWord: string): FieldError[] => {
  const seen = new Map<string, FieldError>()
  for (const error of relevant(validate.errors ?? [])) {
    const field = fieldPath(error)
    if (!seen.has(field)) seen.set(field, { field, message: describe(error, unknownWord) })
  }
  return [...seen.values()]
}

const fail = (what: string, errors: FieldError[]) =>
  new BadRequest(`Invalid ${what}: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, { errors })

// Compiled without their `$id`: ajv would refuse a second app (or test) in the same process compiling it again.
const anonymous = ({ $id: _id, ...schema }: Record<string, any>) => schema

/** `nullable`: the filters whose text `null` or `` means null (nullTextFilters in src/engine/runtime/schemas.ts). */
export const validatorsFor = (schemas: ResourceSchemas, nullable: readonly string[] = []) => ({
  data: dataValidator.compile(anonymous(schemas.data)),
  update: dataValidator.compile(anonymous(schemas.update)),
  patch: dataValidator.compile(anonymous(schemas.patch)),
  query: queryValidator.compile(anonymous(schemas.query)),
  nullable
})

const NULL_TEXTS = new Set(['null', ''])

/** A query string has no null: `?readAt=null` and `?readAt[$ne]=null` are read as null where text cannot mean it. */
const nullsFromText = (query: Record<string, any>, names: readonly string[]) => {
  for (const name of names) {
    const value = query[name]
    if (typeof value === 'string' && NULL_TEXTS.has(value)) query[name] = null
    else if (value && typeof value === 'object' && typeof value.$ne === 'string' && NULL_TEXTS.has(value.$ne))
      value.$ne = null
  }
}

// A number as JSON writes it. ajv's coercion takes whatever `Number()` does: ' ' (0), '0x10' (16), ' 5 '.
const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/

/** The first query value given as text that ajv made a number though it is not written as one. */
const looseNumber = (sent: unknown, coerced: unknown, path: string[]): FieldError | undefined => {
  if (typeof sent === 'string') {
    // `coerceTypes: 'array'` wraps a single value: `?status[$in]=x` arrives as 'x' and becomes ['x'].
    const value = Array.isArray(coerced) ? coerced[0] : coerced
    if (typeof value === 'number' && !JSON_NUMBER.test(sent))
      return { field: path.join('.') || '(root)', message: 'must be a number written in decimal' }
    return undefined
  }
  if (!sent || typeof sent !== 'object' || !coerced || typeof coerced !== 'object') return undefined
  for (const key of Object.keys(sent)) {
    const found = looseNumber((sent as any)[key], (coerced as any)[key], [...path, key])
    if (found) return found
  }
  return undefined
}

/** Only declared filters, operators, sorts and selects reach the database; `$limit` is capped by pagination. */
export const validateQuery =
  (validators: ReturnType<typeof validatorsFor>) => async (context: HookContext, next: NextFunction) => {
    if (context.params.provider) {
      const sent = context.params.query ?? {}
      // A copy to coerce: the input guard has bounded its size, so copying it is cheap.
      const query = structuredClone(sent)
      nullsFromText(query, validators.nullable)
      if (!validators.query(query))
        throw fail('query', fieldErrors(validators.query, 'is not a known query field or operator'))
      const loose = looseNumber(sent, query, [])
      if (loose) throw fail('query', [loose])
      context.params.query = query
    }
    await next()
  }

export const validateData =
  (validators: ReturnType<typeof validatorsFor>) => async (context: HookContext, next: NextFunction) => {
    if (['create', 'update', 'patch'].includes(context.method)) {
      const validate =
        validators[context.method === 'create' ? 'data' : (context.method as 'update' | 'patch')]
      const records = Array.isArray(context.data) ? context.data : [context.data]
      for (const record of records) {
        if (record === null || typeof record !== 'object' || Array.isArray(record)) {
          throw new BadRequest('Invalid data: the body must be a JSON object')
        }
      }
      // REST clients may give the expected version as `If-Match: "3"` instead of in the body.
      const ifMatch = context.params.headers?.['if-match']
      if (ifMatch !== undefined && context.method !== 'create' && !Array.isArray(context.data)) {
        const version = Number(String(ifMatch).replace(/^W\//, '').replace(/"/g, ''))
        if (!Number.isInteger(version) || version < 1) {
          throw fail('If-Match header', [
            { field: 'If-Match', message: 'must be a record version such as "3"' }
          ])
        }
        if (context.data.version !== undefined && context.data.version !== version) {
          throw fail('data', [{ field: 'version', message: 'differs from the If-Match header' }])
        }
        context.data = { ...context.data, version }
        records[0] = context.data
      }
      // A client may send a record back as it got it: its own id is fine, another id is a mistake.
      if (context.id !== undefined && context.id !== null && 'id' in context.data) {
        const { id, ...rest } = context.data
        if (String(id) !== String(context.id)) {
          throw fail('data', [{ field: 'id', message: `does not match the id in the path (${context.id})` }])
        }
        context.data = rest
        records[0] = rest
      }
      for (const record of records) {
        if (!validate(record)) throw fail('data', fieldErrors(validate, 'is not a known field'))
      }
    }
    await next()
  }

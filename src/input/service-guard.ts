import type { HookContext, NextFunction } from '@feathersjs/feathers'
import { INTEGER_MAX } from '../engine/declarations/field-types'
import { checkInput, defaultInputLimits, invalidInput, unstorable, type InputLimits } from './limits'

const WRITES = ['create', 'update', 'patch']

const isObject = (value: unknown) => value !== null && typeof value === 'object' && !Array.isArray(value)

/** An id as a transport gives it: a string or number, no NUL, within the range of an integer id column. */
const checkId = (context: HookContext, limits: InputLimits) => {
  const { id } = context
  if (id === undefined || id === null) {
    // Over Socket.io `get` could be called without an id; the adapter then returned the first row in scope.
    if (['get', 'update'].includes(context.method)) throw invalidInput('id', ['id'], 'is required')
    return
  }
  if (typeof id !== 'string' && typeof id !== 'number')
    throw invalidInput('id', ['id'], 'must be a string or number')
  const text = String(id)
  if (text.length > limits.maxStringLength)
    throw invalidInput(
      'id',
      ['id'],
      `is longer than ${limits.maxStringLength} characters (limits.maxStringLength)`
    )
  const problem = unstorable(text)
  if (problem) throw invalidInput('id', ['id'], problem)
  const integerIds = (context.self as any)?.resource?.fields?.id?.type === 'id'
  if (integerIds && /^\d+$/.test(text) && Number(text) > INTEGER_MAX)
    throw invalidInput('id', ['id'], `must be at most ${INTEGER_MAX}`)
}

/** One JSON object per call; an array only where the service allows multi-record calls. */
const checkBody = (context: HookContext) => {
  const { data, method, params } = context
  if (isObject(data)) return
  const multi = Array.isArray(data) && (context.self as any)?.allowsMulti?.(method, params) === true
  if (multi && data.every(isObject)) return
  throw invalidInput('data', [], 'must be a JSON object (the body is one record)')
}

/**
 * Before every other hook of a call from a client (REST or Socket.io): the id, the body's shape and the size
 * and content of body and query are checked, so no input can make later hooks do unbounded work, and text
 * the database refuses (NUL) is a 400 naming its field.
 */
export const serviceInputGuard =
  (getLimits: () => InputLimits | undefined) => async (context: HookContext, next: NextFunction) => {
    if (context.params.provider) {
      const limits = getLimits() ?? defaultInputLimits
      checkId(context, limits)
      if (WRITES.includes(context.method)) {
        checkBody(context)
        checkInput(context.data, limits, 'data')
      }
      checkInput(context.params.query ?? {}, limits, 'query')
    }
    await next()
  }

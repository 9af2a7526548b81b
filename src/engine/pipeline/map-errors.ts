import { BadRequest, Conflict, FeathersError, GeneralError } from '@feathersjs/errors'
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import { ERROR as DATABASE_ERROR } from '@feathersjs/knex'
import { databaseFault } from '../../database/faults'

// PostgreSQL error codes -> what the client did wrong. The same codes come from pg and PGlite.
const keyPattern = /Key \(([^)]+)\)=/
const fieldFromDetail = (error: any) =>
  error.detail?.match(keyPattern)?.[1]?.replace(/"/g, '') ?? error.column

/**
 * A reference to a record that does not exist, or that the caller may not read: one answer for both, so the
 * answer never tells which hidden ids exist (src/engine/pipeline/check-references.ts).
 */
export const missingReference = (field: string) =>
  new BadRequest(`${field} refers to a record that does not exist`, { field })

const fromDatabase: Record<string, (error: any, context: HookContext) => FeathersError> = {
  '23505': (error, context) => {
    const field = fieldFromDetail(error)
    return new Conflict(`A ${context.path} record with this ${field} already exists`, { field })
  },
  '23503': (error, context) => {
    const field = fieldFromDetail(error)
    return context.method === 'remove' || /still referenced/.test(error.detail ?? '')
      ? new Conflict(`This ${context.path} record is still referenced by ${error.table}`, { field })
      : missingReference(field)
  },
  // restrict_violation: a row still referenced through an `onDelete: restrict` key (RESTRICT, not NO ACTION).
  '23001': (error, context) =>
    new Conflict(`This ${context.path} record is still referenced by ${error.table}`, {
      field: fieldFromDetail(error)
    }),
  '23502': (error) => new BadRequest(`${error.column} is required`, { field: error.column }),
  '22001': () => new BadRequest('A value is too long for its field'),
  '22P02': () => new BadRequest('A value has the wrong type for its field'),
  '22003': () => new BadRequest('A number is out of range for its field'),
  '22007': () => new BadRequest('A date or time value is invalid'),
  '22008': () => new BadRequest('A date or time value is out of range'),
  '23514': (error) => new BadRequest(`A value breaks the rule ${error.constraint}`),
  '40001': () => new Conflict('The record was changed concurrently; retry the request'),
  '40P01': () => new Conflict('The record was changed concurrently; retry the request')
}

/** Every error leaves a service as a Feathers error without database text or stack trace. */
export const toClientError = (error: any, context: HookContext): FeathersError => {
  // @feathersjs/knex wraps database errors in Feathers errors that still carry the database's text.
  const original = error?.[DATABASE_ERROR] ?? error
  // An outage, a timeout or a full disk: 503/507 with Retry-After, whichever driver raised it.
  const fault = databaseFault(error, context.app)
  if (fault) return fault
  const translate = typeof original?.code === 'string' ? fromDatabase[original.code] : undefined
  if (translate) return translate(original, context)
  if (error instanceof FeathersError && !(error as any)[DATABASE_ERROR]) return error
  context.app
    .get('logger')
    ?.error({ err: error, path: context.path, method: context.method }, 'unexpected error')
  return new GeneralError('Internal server error')
}

export const mapErrors = async (context: HookContext, next: NextFunction) => {
  try {
    await next()
  } catch (error) {
    throw toClientError(error, context)
  }
}

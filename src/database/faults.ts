import { FeathersError } from '@feathersjs/errors'
import { ERROR as DATABASE_ERROR } from '@feathersjs/knex'

// Database faults are the server's trouble, not the client's: a 503 to retry (or 507 when storage is full),
// never a 500 and never the driver's text. One list for pg, knex's pool and PGlite, used at every boundary.

export const RETRY_AFTER_SECONDS = 5
/** How long readiness reports full storage after the last write refused for it. */
export const STORAGE_FULL_WINDOW_MS = 30_000

// Socket errors, and SQLSTATEs of operator intervention (57P01 admin shutdown, 57014 statement timeout),
// too many connections and out of memory. Class 08 (connection exceptions) is matched by prefix.
const unavailableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57014',
  '57P01',
  '57P02',
  '57P03',
  '53200',
  '53300'
])
const unavailableMessages =
  /(^| - )(Connection terminated|Query read timeout|PGlite is closed|Client was closed|Client has encountered a connection error|timeout expired|Knex: Timeout acquiring a connection|Unable to acquire a connection)/
const storageCodes = new Set(['53100', 'ENOSPC', 'EDQUOT'])
const storageMessages = /No space left on device|could not extend file|disk full/i

/** The error itself and what it wraps: a Feathers error's database error, a cause, an AggregateError's parts. */
const layers = (error: any, depth = 0): any[] => {
  if (!error || typeof error !== 'object' || depth > 4) return []
  const inner = [error[DATABASE_ERROR], error.cause, ...(Array.isArray(error.errors) ? error.errors : [])]
  return [error, ...inner.flatMap((e) => (e && e !== error ? layers(e, depth + 1) : []))]
}

const matches = (error: any, codes: Set<string>, messages: RegExp) =>
  layers(error).some(
    (e) =>
      (typeof e.code === 'string' && codes.has(e.code)) ||
      (typeof e.message === 'string' && messages.test(e.message))
  )

export const isStorageFull = (error: unknown) => matches(error, storageCodes, storageMessages)

export const isUnavailable = (error: unknown) =>
  matches(error, unavailableCodes, unavailableMessages) ||
  layers(error).some((e) => e.name === 'KnexTimeoutError' || /^08/.test(e.code ?? ''))

const storageFullAt = new WeakMap<object, number>()

/** When a write was last refused for want of storage (for readiness), if within the window. */
export const storageFullSince = (app: object) => {
  const at = storageFullAt.get(app)
  return at !== undefined && Date.now() - at < STORAGE_FULL_WINDOW_MS ? at : undefined
}

/** The client's answer to a database fault, or undefined when the error is something else. */
export const databaseFault = (error: unknown, app?: object): FeathersError | undefined => {
  if (isStorageFull(error)) {
    if (app) storageFullAt.set(app, Date.now())
    return new FeathersError(
      'The database has no storage space left; the change was not saved',
      'InsufficientStorage',
      507,
      'insufficient-storage',
      { retryAfter: RETRY_AFTER_SECONDS * 6 }
    )
  }
  if (isUnavailable(error)) {
    return new FeathersError(
      'The database is unavailable; retry shortly',
      'Unavailable',
      503,
      'unavailable',
      { retryAfter: RETRY_AFTER_SECONDS }
    )
  }
  return undefined
}

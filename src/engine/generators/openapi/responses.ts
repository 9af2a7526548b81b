// The statuses an operation lists, and the shared error responses they refer to.
import type { MethodName, ResourceDeclaration } from '../../declarations/declaration'
import type { BehaviourContract } from '../behaviour-contract'
import { isMutation } from '../../vocabulary'
import { errorRef, json, ref } from './names'

export const ERROR_RESPONSES: Record<string, [string, string]> = {
  '400': [
    'BadRequest',
    'Invalid body or query (`errors[]` names every bad field), or a field you may not write'
  ],
  '401': [
    'NotAuthenticated',
    'A login is needed and none was sent, or the token or API key is invalid or expired'
  ],
  '402': [
    'PaymentError',
    'A payment declined by its provider: `data.declineCode` says why, `data.paymentId` names it'
  ],
  '403': ['Forbidden', 'Logged in, but no role of yours (or no scope of your API key) may call this'],
  '404': ['NotFound', 'No such record, or a record you may not see, or a malformed id'],
  '409': [
    'Conflict',
    'A unique field already taken, a stale `version`, a transition not allowed now, or a record still referenced'
  ],
  '413': [
    'PayloadTooLarge',
    'The body (over 1 MB) or the query is past a limit: size, keys, depth, array lengths or string sizes'
  ],
  '415': ['UnsupportedMediaType', 'The body is not sent as `content-type: application/json` (UTF-8)'],
  '422': [
    'Unprocessable',
    'The `Idempotency-Key` was already used for a different request, or a rule of the resource refused the request'
  ],
  '429': ['TooManyRequests', 'Rate-limited: retry after `Retry-After` seconds'],
  '503': [
    'ServiceUnavailable',
    'The database (or a provider the call needs) does not answer now: retry after `Retry-After` seconds'
  ]
}

/** Every route with a body may meet the body limits and the JSON-only rule before anything else runs. */
export const BODY_ERRORS = ['413', '415']
/** Queries are bounded like bodies (keys, depth, `$in` sizes): any resource operation may meet the limits. */
const QUERY_ERRORS = ['413']
const RETRY_AFTER = ['TooManyRequests', 'ServiceUnavailable']

const BY_ID: MethodName[] = ['get', 'update', 'patch', 'remove']
const BODY_METHODS: MethodName[] = ['create', 'update', 'patch']

const mayConflict = (resource: ResourceDeclaration, method: MethodName, all: ResourceDeclaration[]) => {
  if (resource.idempotent && isMutation(method)) return true
  const fields = Object.values(resource.fields)
  if (method === 'remove')
    // Removing a row that a `restrict` reference still points at.
    return all.some((other) =>
      Object.values(other.fields).some(
        (field) =>
          field.type === 'ref' &&
          field.to === resource.name &&
          ['restrict', 'no action', undefined].includes(field.onDelete)
      )
    )
  if (method === 'patch' && resource.fields.version) return true
  return method !== 'find' && method !== 'get' && (fields.some((field) => field.unique) || !!resource.states)
}

export const errorResponses = (
  resource: ResourceDeclaration,
  method: MethodName,
  all: ResourceDeclaration[],
  contract: BehaviourContract
) => {
  const codes = ['400', '401', '403']
  if (method === 'create' || method === 'patch') codes.push(...(contract.statuses[method] ?? []))
  if (BY_ID.includes(method)) codes.push('404')
  if (mayConflict(resource, method, all)) codes.push('409')
  codes.push(...(BODY_METHODS.includes(method) ? BODY_ERRORS : QUERY_ERRORS))
  if (resource.idempotent && isMutation(method)) codes.push('422')
  // A method the declaration rate-limits (`rateLimit: { create: registration }`).
  if (resource.rateLimit[method]) codes.push('429')
  codes.push('503')
  return Object.fromEntries(
    [...new Set(codes)].sort().map((code) => [code, errorRef(ERROR_RESPONSES[code][0])])
  )
}

/** `components.responses`: one per error status, all with the `Error` schema. */
export const errorComponents = () =>
  Object.fromEntries(
    Object.values(ERROR_RESPONSES).map(([name, description]) => [
      name,
      {
        description,
        ...(RETRY_AFTER.includes(name) && {
          headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } }
        }),
        ...json(ref('Error'))
      }
    ])
  )

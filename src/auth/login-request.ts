import { BadRequest } from '@feathersjs/errors'
import { invalid } from '../engine/errors'

/** The credential fields each strategy reads from `POST /authentication`. */
const FIELDS: Record<string, string[]> = {
  local: ['email', 'password'],
  refresh: ['refreshToken'],
  jwt: ['accessToken'],
  apiKey: ['key']
}

/**
 * A malformed authentication request is the client's mistake (400, naming the field), not a failed login (401):
 * the body is an object, `strategy` one of the allowed ones, and its credentials non-empty strings. Strings only:
 * an object would become a query operator in the user lookup.
 */
export const assertAuthenticationRequest = (data: unknown, allowed: string[]) => {
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new BadRequest('The body must be a JSON object with a strategy')
  }
  const request = data as Record<string, unknown>
  const { strategy } = request
  if (strategy === undefined || strategy === null || strategy === '') throw invalid('strategy', 'is required')
  if (typeof strategy !== 'string' || !allowed.includes(strategy)) {
    throw invalid('strategy', `must be one of ${allowed.join(', ')}`)
  }
  for (const field of FIELDS[strategy] ?? []) {
    const value = request[field]
    if (value === undefined || value === null || value === '') throw invalid(field, 'is required')
    if (typeof value !== 'string') throw invalid(field, 'must be a string')
  }
  if (strategy === 'local' && (request.email as string).length > 254) {
    throw invalid('email', 'must NOT have more than 254 characters')
  }
}

import { BadRequest } from '@feathersjs/errors'

/**
 * A 400 naming one field, shaped like the validator's own (`errors: [{ field, message }]`), for rules a schema
 * cannot state. `what` names the thing checked (a webhook event is not request data).
 */
export const invalid = (field: string, message: string, what = 'data') =>
  new BadRequest(`Invalid ${what}: ${field} ${message}`, { errors: [{ field, message }] })

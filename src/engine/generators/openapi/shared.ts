// What every document shares whatever the declarations: the Error schema, security schemes, the common
// parameters, the default description and server.
import type { JsonSchema } from '../../declarations/field-types'
import { fieldTypes } from '../../declarations/field-types'
import { openApiSchema } from './schema'

export const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  description:
    'Every error, REST or Socket.io, has this Feathers shape; never a stack trace or database text.',
  required: ['name', 'message', 'code', 'className'],
  properties: {
    name: { type: 'string', example: 'BadRequest' },
    message: { type: 'string', example: 'Invalid data: name is required' },
    code: { type: 'integer', minimum: 400, maximum: 599, example: 400 },
    className: { type: 'string', example: 'bad-request' },
    data: { description: 'Details, e.g. `{field}` on a 409 or `{retryAfter}` on a 429' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: {
          field: { type: 'string', description: 'A dotted path for query errors (`priceCents.$regex`)' },
          message: { type: 'string', example: 'is required' }
        }
      }
    }
  }
}

export const DESCRIPTION = [
  'Generated from the resource declarations (`src/contexts/*/*.yaml`); every resource also answers the same ' +
    'methods over Socket.io.',
  'Authenticate with `Authorization: Bearer <accessToken>` from `POST /authentication`, or `X-API-Key` for ' +
    'services. Principals in the "who may call" notes: `public` is everyone, anonymous included; ' +
    '`authenticated` every logged-in user; `owner` a user on their own records; any other name is a role.',
  'Methods that are not listed answer 405. Every response carries `X-Request-Id`.'
].join('\n\n')

/** A relative URL: the API is where the document was fetched from, whatever host or port that is. */
export const SAME_ORIGIN = { url: '/', description: 'This server: the origin /openapi.json was fetched from' }

export const securitySchemes = {
  bearerAuth: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'The access token from `POST /authentication` (15 minutes by default; refresh it)'
  },
  apiKey: {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description: 'A service key (`iak_…`): exactly the resources and methods of its scopes'
  }
}

export const parameters = {
  // The id column's own schema: its range is the column's (a larger id is a 404, never a database error).
  Id: { name: 'id', in: 'path', required: true, schema: openApiSchema(fieldTypes.id.schema({ type: 'id' })) },
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'A key unique per logical operation (a UUID): a retry with the same key and request replays the first ' +
      'response instead of running again; the same key with another request is a 422.',
    schema: { type: 'string', minLength: 1, maxLength: 255 }
  },
  IfMatch: {
    name: 'If-Match',
    in: 'header',
    required: false,
    description: 'The expected current `version`, e.g. `"3"`: a stale one is a 409 and nothing changes.',
    schema: { type: 'string', example: '"3"' }
  }
}

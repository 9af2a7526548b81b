// The OpenAPI description of POST / DELETE /authentication (src/auth/authentication.ts): a platform
// contribution to the document, handed to the generator by src/ops/openapi.ts.
import type { ResourceDeclaration } from '../engine/declarations/declaration'
import type { JsonSchema } from '../engine/declarations/field-types'
import { errorRef, json, ref, type OpenApiContribution } from '../engine/generators/openapi'
import { resourceTypeNames } from '../engine/generators/typegen'

const authenticationSchemas = (resources: ResourceDeclaration[]): Record<string, JsonSchema> => {
  const users = resources.find((resource) => resource.name === 'users')
  return {
    LocalLogin: {
      type: 'object',
      required: ['strategy', 'email', 'password'],
      properties: {
        strategy: { type: 'string', enum: ['local'] },
        email: { type: 'string', maxLength: 254 },
        password: { type: 'string', writeOnly: true }
      }
    },
    RefreshLogin: {
      type: 'object',
      required: ['strategy', 'refreshToken'],
      properties: {
        strategy: { type: 'string', enum: ['refresh'] },
        refreshToken: { type: 'string', description: '`<sessionId>.<generation>.<secret>`; works once' }
      }
    },
    Authentication: {
      type: 'object',
      required: ['accessToken', 'authentication', 'user'],
      properties: {
        accessToken: {
          type: 'string',
          description: 'A JWT carrying the session id; send it as `Authorization: Bearer`'
        },
        refreshToken: {
          type: 'string',
          description: 'Exchange it for new tokens (strategy `refresh`); shown once'
        },
        authentication: {
          type: 'object',
          properties: {
            strategy: { type: 'string' },
            accessToken: { type: 'string' },
            payload: {
              type: 'object',
              description: 'The decoded access token',
              properties: {
                sid: { type: 'integer', description: 'session id' },
                sub: { type: 'string', description: 'user id' },
                aud: { type: 'string' },
                iat: { type: 'integer' },
                exp: { type: 'integer' },
                jti: { type: 'string' }
              }
            }
          }
        },
        user: users ? ref(resourceTypeNames(users).result) : { type: 'object' }
      }
    }
  }
}

const authenticationPath = {
  '/authentication': {
    post: {
      tags: ['authentication'],
      summary: 'Log in, or refresh the tokens',
      description:
        'Strategy `local` opens a session; `refresh` rotates the refresh token (an old one presented again ' +
        'revokes the session). Failed logins and refreshes are rate-limited (429 with `Retry-After`).',
      operationId: 'login',
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              oneOf: [ref('LocalLogin'), ref('RefreshLogin')],
              discriminator: {
                propertyName: 'strategy',
                mapping: {
                  local: '#/components/schemas/LocalLogin',
                  refresh: '#/components/schemas/RefreshLogin'
                }
              }
            }
          }
        }
      },
      responses: {
        '201': { description: 'Tokens and your user record', ...json(ref('Authentication')) },
        '400': errorRef('BadRequest'),
        '401': errorRef('NotAuthenticated'),
        '413': errorRef('PayloadTooLarge'),
        '415': errorRef('UnsupportedMediaType'),
        '429': errorRef('TooManyRequests'),
        '503': errorRef('ServiceUnavailable')
      },
      security: []
    },
    delete: {
      tags: ['authentication'],
      summary: 'Log out',
      description: 'Revokes the current session: its access and refresh tokens stop working everywhere.',
      operationId: 'logout',
      responses: {
        '200': { description: 'The ended authentication', ...json(ref('Authentication')) },
        '401': errorRef('NotAuthenticated')
      },
      security: [{ bearerAuth: [] }]
    }
  }
}

export const authenticationOpenApi: OpenApiContribution = {
  tags: [{ name: 'authentication', description: 'Logins, refresh and logout' }],
  paths: () => authenticationPath,
  schemas: authenticationSchemas,
  // The login answer carries the user record even if /users offered nothing itself.
  uses: ['users']
}

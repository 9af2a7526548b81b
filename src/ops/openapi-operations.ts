// The OpenAPI description of the operations routes (src/ops/health.ts, src/ops/metrics-endpoint.ts): a
// platform contribution to the document, handed to the generator by src/ops/openapi.ts.
import type { JsonSchema } from '../engine/declarations/field-types'
import { json, ref, type OpenApiContribution } from '../engine/generators/openapi'

const readiness: JsonSchema = {
  type: 'object',
  required: ['status', 'database'],
  properties: {
    status: { type: 'string', enum: ['ok', 'unavailable'] },
    database: { type: 'string', enum: ['postgres', 'pglite'] }
  }
}

const operationsPaths = {
  '/health/live': {
    get: {
      tags: ['operations'],
      summary: 'Liveness',
      description:
        'Answers while the process runs; it checks nothing else (use it to restart a stuck process).',
      operationId: 'live',
      responses: {
        '200': {
          description: 'The process answers',
          ...json({
            type: 'object',
            required: ['status'],
            properties: { status: { type: 'string', enum: ['ok'] } }
          })
        }
      },
      security: []
    }
  },
  '/health/ready': {
    get: {
      tags: ['operations'],
      summary: 'Readiness, including a database ping',
      description: 'Whether this instance can serve requests now: 503 while its database does not answer.',
      operationId: 'ready',
      responses: {
        '200': { description: 'Ready', ...json(ref('Readiness')) },
        '503': { description: 'The database does not answer', ...json(ref('Readiness')) }
      },
      security: []
    }
  },
  '/metrics': {
    get: {
      tags: ['operations'],
      summary: 'Prometheus metrics',
      description: 'Request, event and process metrics for a Prometheus scrape (docs/operations.md).',
      operationId: 'metrics',
      responses: {
        '200': {
          description: 'The Prometheus text format',
          content: { 'text/plain': { schema: { type: 'string' } } }
        }
      },
      security: []
    }
  }
}

export const operationsOpenApi: OpenApiContribution = {
  tags: [{ name: 'operations', description: 'Health and metrics' }],
  paths: () => operationsPaths,
  schemas: () => ({ Readiness: readiness })
}

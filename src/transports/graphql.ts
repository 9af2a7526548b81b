import {
  NoSchemaIntrospectionCustomRule,
  GraphQLError,
  getOperationAST,
  specifiedRules,
  type ExecutionResult,
  type ValidationRule
} from 'graphql'
import { createHandler, type Request as GraphqlRequest } from 'graphql-http'
import type { Context, Next } from 'koa'
import type { Params } from '@feathersjs/feathers'
import type { Application } from '../declarations'
import type { ResourceDeclaration } from '../engine/declarations/declaration'
import { buildGraphqlSchema } from '../engine/graphql/schema'
import type { ContractRegistry } from '../engine/generators/behaviour-contract'
import { graphqlContext } from '../engine/graphql/context'
import { DocumentCache } from '../engine/graphql/document-cache'
import { refuseDocument } from '../engine/graphql/document-limits'
import { formatGraphqlError } from '../engine/graphql/errors'
import { operationLimits } from '../engine/graphql/limits'
import { oneMutationPerKey } from '../engine/graphql/one-mutation'
import { withNamedValueErrors } from '../engine/graphql/literal-errors'
import { requestLogger } from '../logger'

export const GRAPHQL_PATH = '/graphql'

interface Outcome {
  name?: string
  type?: string
  status: number
  codes: string[]
}

/** Operation names are the client's: only a GraphQL name, shortened, reaches the logs. */
export const loggable = (name: unknown) =>
  typeof name === 'string' && /^[_A-Za-z][_0-9A-Za-z]{0,99}$/.test(name) ? name : undefined

/**
 * The caller, authenticated once with the strategies REST uses (`Authorization: Bearer` or `X-API-Key`, parsed
 * by `parseAuthentication`; on a websocket, the `connection_init` payload): every service call of the operation
 * then acts as them, with `provider: 'graphql'`, so the pipeline applies the same policy, validation, state
 * machines and masks as REST.
 */
export const authenticateCaller = async (app: Application, base: Params): Promise<Params> => {
  if (!base.authentication) return base
  const { provider: _provider, authentication, ...rest } = base
  const result = await app.defaultAuthentication!().authenticate(authentication, rest, 'jwt', 'apiKey')
  const { accessToken: _token, ...identity } = result
  return { ...base, ...identity, authenticated: true }
}

const callerParams = (app: Application, ctx: Context) =>
  authenticateCaller(app, { ...(ctx.feathers as Params), provider: 'graphql', headers: ctx.headers })

const ruleSets = new Map<string, readonly ValidationRule[]>()

/**
 * The validation rules of every operation (graphql-js's and ours), per the configuration the app holds now, and
 * with `oneMutationPerKey` when the request carries an `Idempotency-Key`. The same array while the configuration
 * holds: the document cache keeps validations per rule set.
 */
export const graphqlRules = (app: Application, idempotent = false): readonly ValidationRule[] => {
  const { introspection, maxDepth, maxCost } = app.get('graphql')
  const key = `${introspection}:${maxDepth}:${maxCost}:${idempotent}`
  let rules = ruleSets.get(key)
  if (!rules) {
    rules = [
      // graphql-js's rules, its check of literal values naming each error's field (src/engine/graphql/literal-errors.ts).
      ...withNamedValueErrors(specifiedRules),
      operationLimits({ maxDepth, maxCost }),
      ...(introspection ? [] : [NoSchemaIntrospectionCustomRule]),
      ...(idempotent ? [oneMutationPerKey] : [])
    ]
    // Configurations come from config files and tests: few, but never let them pile up.
    if (ruleSets.size >= 64) ruleSets.clear()
    ruleSets.set(key, rules)
  }
  return rules
}

/** An operation's status: the highest `extensions.status` of its errors, else 200. */
export const statusOf = (errors: readonly any[] | undefined) =>
  errors?.length ? Math.max(...errors.map((error) => Number(error.extensions?.status) || 400)) : 200

/** One log line and one metrics sample per operation (name, type, status, duration), beside the HTTP line. */
const record = (app: Application, ctx: Context, outcome: Outcome, seconds: number) => {
  const metrics = app.get('metrics')
  const labels = { transport: 'graphql', service: 'graphql', method: outcome.type ?? 'invalid' }
  metrics?.requestDuration.observe({ ...labels, status: String(outcome.status) }, seconds)
  if (outcome.status >= 500) metrics?.requestErrors.inc(labels)
  requestLogger(app.get('logger')).info(
    {
      requestId: ctx.state.requestId,
      transport: 'graphql',
      operation: outcome.name ?? null,
      operationType: outcome.type ?? null,
      identity: (ctx.feathers as any)?.logContext?.identity ?? 'anonymous',
      status: outcome.status,
      codes: outcome.codes,
      durationMs: seconds * 1000
    },
    'graphql operation'
  )
}

/** `POST /graphql` and `GET /graphql` (queries only), per the GraphQL-over-HTTP spec (graphql-http). */
export const graphqlEndpoint = (
  app: Application,
  resources: ResourceDeclaration[],
  contracts?: ContractRegistry
) => {
  const schema = buildGraphqlSchema(resources, contracts)
  const { documentCacheEntries, documentCacheBytes } = app.get('graphql')
  const documents = new DocumentCache(schema, { entries: documentCacheEntries, bytes: documentCacheBytes })
  // The websocket transport (src/transports/graphql-ws.ts) serves the same schema, with the same cache.
  app.set('graphqlSchema', schema)
  app.set('graphqlDocuments', documents)
  const logger = app.get('logger')
  const formatError = formatGraphqlError(
    (error) => logger.error({ err: error }, 'graphql internal error'),
    schema
  )
  const handle = createHandler<unknown, { ctx: Context }, any>({
    schema,
    parse: documents.parse,
    validate: documents.validate,
    // Read per request, so the settings follow the configuration the app holds now.
    validationRules: (req) => graphqlRules(app, Boolean(req.context.ctx.get('idempotency-key'))),
    // A plain formatted object is serialized as it is (graphql-http's types ask for an Error, its code does not).
    formatError: formatError as any,
    onSubscribe: (_req, params) => refuseDocument(params.query, app.get('graphql').maxDocumentBytes),
    context: async (req: GraphqlRequest<unknown, { ctx: Context }>) => {
      const { ctx } = req.context
      return graphqlContext(app as any, await callerParams(app, ctx))
    },
    onOperation: (req, args, result) => {
      const operation = getOperationAST(args.document, args.operationName)
      const errors = (result as ExecutionResult).errors?.map(formatError)
      req.context.ctx.state.graphql = {
        name: loggable(operation?.name?.value ?? args.operationName),
        type: operation?.operation,
        status: statusOf(errors),
        codes: [...new Set(errors?.map((error) => String(error.extensions?.code)) ?? [])]
      } satisfies Outcome
      // No `data`: the operation never started (its variables were refused), a request error like a bad document.
      req.context.ctx.state.graphqlNotRun = !('data' in (result as ExecutionResult))
    }
  })
  return async (ctx: Context, next: Next) => {
    if (ctx.path !== GRAPHQL_PATH) return next()
    const started = process.hrtime.bigint()
    let outcome: Outcome = { status: 500, codes: [] }
    try {
      const [body, init] = await handle({
        url: ctx.url,
        method: ctx.method,
        headers: ctx.headers,
        body: () => (ctx.request as any).body,
        raw: ctx.req,
        context: { ctx }
      })
      ctx.status = init.status
      // graphql-http answers it 200; the GraphQL-over-HTTP spec asks a 400 under its own media type, as for validation.
      if (ctx.state.graphqlNotRun && /graphql-response/.test(String(init.headers?.['content-type'])))
        ctx.status = 400
      for (const [name, value] of Object.entries(init.headers ?? {})) ctx.set(name, value)
      ctx.body = body ?? ''
      outcome = ctx.state.graphql ?? requestOutcome(body, init.status)
    } catch (error: any) {
      // The caller's credentials were refused (or a fault before any resolver ran): the GraphQL error shape.
      const formatted = formatError(new GraphQLError(error?.message ?? 'error', { originalError: error }))
      const status = Number(formatted.extensions?.status) || 500
      ctx.status = status
      if (status === 401) ctx.set('WWW-Authenticate', 'Bearer realm="internal-api"')
      ctx.type = 'application/json'
      ctx.body = JSON.stringify({ errors: [formatted] })
      outcome = { status, codes: [String(formatted.extensions?.code)] }
    } finally {
      record(app, ctx, outcome, Number(process.hrtime.bigint() - started) / 1e9)
    }
  }
}

/** A request refused before execution (syntax, validation, limits): its errors' codes. */
const requestOutcome = (body: string | null, status: number): Outcome => {
  try {
    const errors = body ? JSON.parse(body).errors : undefined
    return {
      status: errors?.length ? Math.max(status, 400) : status,
      codes: [...new Set<string>(errors?.map((error: any) => String(error.extensions?.code)) ?? [])]
    }
  } catch {
    return { status, codes: [] }
  }
}

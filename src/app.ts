import { feathers } from '@feathersjs/feathers'
import configuration from '@feathersjs/configuration'
import { koa, rest, bodyParser, parseAuthentication, cors, serveStatic } from '@feathersjs/koa'
import socketio from '@feathersjs/socketio'
import type { Application } from './declarations'
import { validateConfiguration } from './configuration'
import { createLogger } from './logger'
import { database } from './database'
import { authentication } from './auth/authentication'
import { registerResources } from './engine/runtime/register'
import { domain } from './contexts'
import { channels, socketOf, trackSockets } from './transports/channels'
import { useBroadcastDispatcher } from './transports/event-dispatch'
import {
  allowedOrigin,
  bodyError,
  errorHandler,
  isSameOrigin,
  requestLog,
  responseErrors,
  uiHeaders
} from './transports/http'
import { loadDeclarationSet } from './engine/declarations/load'
import { health } from './ops/health'
import { instanceSync, shareTableChanges } from './ops/sync'
import { createMetrics, observe } from './ops/metrics'
import { metricsEndpoint } from './ops/metrics-endpoint'
import { openApiEndpoints } from './ops/openapi'
import { createRateLimiter } from './auth/rate-limit'
import { identityCache } from './auth/identity-cache'
import { noStore } from './auth/no-store'
import { paymentWebhook } from './contexts/payments/webhook'
import { stripeWebhook } from './contexts/payments/stripe/webhook'
import { JSON_TYPES, jsonOnly } from './input/json-only'
import { postWithId } from './input/post-with-id'
import { queryStringGuard } from './input/query-string'
import { registerStrictUtf8, STRICT_UTF8 } from './input/strict-utf8'
import { safeLookup } from './input/safe-lookup'
import { serviceInputGuard } from './input/service-guard'
import { declaredRateLimits } from './input/declared-rate-limits'
import { socketInputGuard } from './input/socket-guard'
import { graphqlEndpoint } from './transports/graphql'
import { graphiql } from './transports/graphiql'

/**
 * Composes the app: configuration, HTTP and Socket.io transports, database, authentication, the declared
 * resources and their realtime channels. Declarations are checked before the database is touched.
 */
export const createApp = async ({ serving = false } = {}): Promise<Application> => {
  const app: Application = koa(feathers())
  await validateConfiguration(app.configure(configuration()), { serving })
  const { resources: declarations, administrativeRoles } = loadDeclarationSet(app.get('resourcesDir'), domain)
  app.set('administrativeRoles', administrativeRoles)
  app.set('logger', createLogger(app.get('log')))

  const origins = app.get('origins')
  app.on('error', responseErrors(app))
  app.use(requestLog(app))
  app.use(noStore)
  app.use(errorHandler(app))
  app.use(cors({ origin: allowedOrigin(origins), exposeHeaders: ['X-Request-Id'] }))
  app.set('metrics', createMetrics())
  app.use(health(app))
  app.use(metricsEndpoint(app))
  app.use(openApiEndpoints(app))
  app.use(graphiql(app))
  // Deferred: API requests never pay for a file lookup; files are served only when no route answered.
  app.use(uiHeaders)
  // Built assets have content hashes in their names: cached for a year. The pages themselves are `no-cache`
  // (uiHeaders), so a new build is picked up at once.
  app.use(serveStatic(app.get('public'), { defer: true, maxage: 365 * 24 * 3600 * 1000, immutable: true }))
  app.use(paymentWebhook(app)) // before the body parser: verifies the signature over the raw body
  app.use(stripeWebhook(app)) // likewise, Stripe's own format and signature
  app.use(parseAuthentication())
  app.use(postWithId(app))
  app.use(queryStringGuard(app)) // keys the query parser would drop unseen are a 400
  app.use(jsonOnly) // any other body is a 415, so only JSON is parsed
  registerStrictUtf8() // bytes that are not UTF-8 are a 400, not U+FFFD in stored text
  app.use(
    bodyParser({
      encoding: STRICT_UTF8,
      jsonLimit: '1mb',
      jsonTypes: JSON_TYPES,
      urlencoded: false,
      text: false,
      onError: bodyError
    })
  )
  // GraphQL over the same services (src/engine/graphql/), after authentication parsing and the body parser.
  app.use(graphqlEndpoint(app, declarations, domain.contracts))
  app.configure(rest())
  app.configure(
    socketio(
      {
        cors: { origin: origins, credentials: true },
        // Browsers send Origin on the websocket upgrade too: only the configured origins, and pages this
        // server served itself (the UI), may connect.
        allowRequest: ({ headers: { origin, host } }, callback) =>
          callback(null, !origin || origins.includes(origin) || isSameOrigin(origin, host))
      },
      (io) => {
        trackSockets(app)(io)
        socketInputGuard(app)(io)
      }
    )
  )
  // Client input is bounded and checked before any service hook, on both transports (src/input/).
  safeLookup(app)
  // Declared rate limits (registrations) count first: a body the guard refuses is an attempt too.
  app.hooks({ around: { all: [declaredRateLimits(app), serviceInputGuard(() => app.get('limits'))] } })
  // Events encoded once per group of sockets, not once per socket (src/transports/event-dispatch.ts).
  useBroadcastDispatcher(app, socketOf)
  // Before the services: instanceSync wraps the events of every service registered after it.
  instanceSync(app)
  await database(app)
  shareTableChanges(app)
  app.set(
    'rateLimiter',
    createRateLimiter({
      ...(app.get('rateLimits') as any),
      redisUrl: app.get('redisUrl') || undefined,
      keyPrefix: `${app.get('redisPrefix')}:rl`
    })
  )
  app.configure(authentication)
  registerResources(app, declarations, domain)
  identityCache(app)
  app.configure(channels)
  app.configure(observe)
  return app
}

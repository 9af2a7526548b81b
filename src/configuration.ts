import { Type, getValidator, defaultAppConfiguration, type Static } from '@feathersjs/typebox'
import config from 'config'
import { dataValidator } from './engine/validators'
import { environmentVariableOf, isPublishedSecret, useInstallationSecrets } from './auth/secrets'
import { environmentFormatProblems } from './environment-formats'
import { metricsProtectionProblem } from './ops/metrics-endpoint'
import { DURATION_LIST_PATTERN, DURATION_PATTERN } from './durations'
import { CURRENCIES } from './generated/vocabularies'
import { paymentProviderProblems } from './contexts/payments/settings-problems'

const NATS_URL_PATTERN = '^$|^(nats|tls)://[^\\s,]+(,(nats|tls)://[^\\s,]+)*$'

/** What a setting that fails its pattern should look like, in words (instead of the regular expression). */
const PATTERN_HINTS: Record<string, string> = {
  [DURATION_PATTERN]: 'must be a duration such as 30s, 30m, 2h or 1d, or 0',
  [DURATION_LIST_PATTERN]: 'must be durations separated by commas, such as 5s,30s,2m',
  [NATS_URL_PATTERN]: 'must be nats://host:port (or tls://, or several separated by commas)'
}

const currenciesSetting = Type.Optional(
  Type.Array(Type.Union(CURRENCIES.map((currency) => Type.Literal(currency))), {
    minItems: 1,
    uniqueItems: true
  })
)

// node-config (config/*.json + environment variables) is checked against this schema at boot.
export const configurationSchema = Type.Intersect([
  defaultAppConfiguration,
  Type.Object({
    host: Type.String(),
    port: Type.Number({ minimum: 0, maximum: 65535 }),
    public: Type.String(),
    origins: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    resourcesDir: Type.String(),
    database: Type.Object({
      url: Type.String(),
      dataDir: Type.String({ minLength: 1 }),
      acquireConnectionTimeout: Type.Integer({ minimum: 100 }),
      // Longest a statement may run on PostgreSQL before it is cancelled and answered 503; 0: no limit.
      statementTimeoutMs: Type.Integer({ minimum: 0, maximum: 3_600_000 })
    }),
    redisUrl: Type.String(),
    // Names this deployment's channels and keys in Redis: deployments sharing a Redis must not share it.
    redisPrefix: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.:-]+$' }),
    // The admin the first start creates when none exists (src/auth/first-admin.ts); empty: none.
    firstAdmin: Type.Object({
      email: Type.String({ maxLength: 254 }),
      password: Type.String({ maxLength: 128 })
    }),
    sessions: Type.Object({
      ttlDays: Type.Number({ exclusiveMinimum: 0, maximum: 365 }),
      // How long a token's session and user may be reused without a query (src/auth/identity-cache.ts).
      cacheSeconds: Type.Number({ minimum: 0, maximum: 60 })
    }),
    // How long a page's total may be reused when nothing the API can see has changed (src/database/totals-cache.ts).
    totals: Type.Object({ cacheSeconds: Type.Number({ minimum: 0, maximum: 3600 }) }),
    // How long an Idempotency-Key is remembered (src/engine/pipeline/idempotency.ts); at most a year.
    idempotency: Type.Object({ ttlHours: Type.Number({ exclusiveMinimum: 0, maximum: 8760 }) }),
    // The payment provider and its webhooks (src/contexts/payments/, docs/api/payment-processing.md).
    payments: Type.Object({
      // Which providers take new payments, in which currencies (src/contexts/payments/provider-settings.ts).
      providers: Type.Object(
        {
          simulated: Type.Object({ enabled: Type.Boolean(), currencies: currenciesSetting }),
          stripe: Type.Object({
            enabled: Type.Boolean(),
            currencies: currenciesSetting,
            secretKey: Type.String({ maxLength: 255 }),
            webhookSecret: Type.String({ maxLength: 255 }),
            // Empty: api.stripe.com; else an http(s) URL (a local stand-in in tests).
            apiBase: Type.String({ pattern: '^$|^https?://[^\\s/]+/?$' }),
            webhookToleranceSeconds: Type.Integer({ minimum: 1, maximum: 3600 }),
            // Stripe's search lags its writes: a key it does not report is taken as never used only after this.
            searchLagSeconds: Type.Integer({ minimum: 0, maximum: 86_400 })
          })
        },
        { additionalProperties: false }
      ),
      // Production refuses to start with the simulated provider enabled unless this is true.
      allowSimulator: Type.Boolean(),
      webhookSecret: Type.String({ minLength: 16 }),
      webhookToleranceSeconds: Type.Integer({ minimum: 1, maximum: 3600 }),
      // Two-phase payments (docs/events.md): how long a request waits for the provider's answer; when a payment
      // still pending counts as left behind (a crash, a timeout) for the reconciler, and how often it looks.
      providerTimeoutMs: Type.Integer({ minimum: 100, maximum: 120_000 }),
      reconcileAfterSeconds: Type.Integer({ minimum: 1, maximum: 86_400 }),
      reconcileIntervalMs: Type.Integer({ minimum: 0, maximum: 3_600_000 })
    }),
    // Where the consumers and jobs run: in this process (`inline`) or only in `npm run worker` processes (`off`).
    workers: Type.Union([Type.Literal('inline'), Type.Literal('off')]),
    // The outbox and its relay (src/engine/events/, docs/events.md). Without `natsUrl`: an in-process bus.
    events: Type.Object({
      // One server or a comma-separated list: nats://host:4222,nats://other:4222 (tls:// for TLS).
      natsUrl: Type.String({ pattern: NATS_URL_PATTERN }),
      stream: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }),
      subjectPrefix: Type.String({ pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$' }),
      source: Type.String({ minLength: 1, maxLength: 256 }),
      relayIntervalMs: Type.Integer({ minimum: 10, maximum: 60_000 }),
      keepPublishedHours: Type.Number({ exclusiveMinimum: 0, maximum: 8760 })
    }),
    // Pending orders older than `pendingTtl` are cancelled as expired (0: never).
    orders: Type.Object({
      pendingTtl: Type.String({ pattern: DURATION_PATTERN }),
      expiryIntervalMs: Type.Integer({ minimum: 0, maximum: 3_600_000 })
    }),
    // Outgoing webhooks (src/contexts/webhooks/, docs/events.md).
    webhooks: Type.Object({
      retrySchedule: Type.String({ pattern: DURATION_LIST_PATTERN }),
      timeoutMs: Type.Integer({ minimum: 100, maximum: 120_000 }),
      allowPrivateTargets: Type.Boolean(),
      intervalMs: Type.Integer({ minimum: 0, maximum: 3_600_000 })
    }),
    rateLimits: Type.Record(
      Type.Union(['loginAccount', 'loginAddress', 'registration', 'refresh'].map((k) => Type.Literal(k))),
      Type.Object({
        points: Type.Integer({ minimum: 1 }),
        durationSeconds: Type.Integer({ minimum: 1 }),
        blockSeconds: Type.Optional(Type.Integer({ minimum: 1 }))
      })
    ),
    shutdownTimeoutMs: Type.Integer({ minimum: 100, maximum: 600_000 }),
    // Who may read /metrics (src/ops/metrics-endpoint.ts): a bearer token and/or a separate port (0: none).
    metricsEndpoint: Type.Object({
      token: Type.Union([Type.Literal(''), Type.String({ minLength: 16 })]),
      port: Type.Integer({ minimum: 0, maximum: 65535 }),
      host: Type.String()
    }),
    // Connection limits of the HTTP server (src/transports/http-server.ts); timeouts in milliseconds.
    server: Type.Object({
      maxConnections: Type.Integer({ minimum: 1 }),
      headersTimeout: Type.Integer({ minimum: 100, maximum: 600_000 }),
      requestTimeout: Type.Integer({ minimum: 100, maximum: 3_600_000 }),
      keepAliveTimeout: Type.Integer({ minimum: 100, maximum: 600_000 })
    }),
    // What one body, query or id may hold, checked before validation (src/input/limits.ts).
    limits: Type.Object({
      // Depth 4 is what declared bodies and queries need (an API key's scopes[].methods[]).
      maxDepth: Type.Integer({ minimum: 4, maximum: 64 }),
      maxKeys: Type.Integer({ minimum: 10, maximum: 100_000 }),
      maxTotalKeys: Type.Integer({ minimum: 10, maximum: 1_000_000 }),
      maxArrayLength: Type.Integer({ minimum: 1, maximum: 100_000 }),
      maxStringLength: Type.Integer({ minimum: 256, maximum: 1_048_576 })
    }),
    // The GraphQL endpoint's protections (src/transports/graphql.ts, docs/graphql.md).
    graphql: Type.Object({
      // Off in production unless configured: the schema is public in the repository, but needs no advertising.
      introspection: Type.Boolean(),
      // Deepest selection (fields within fields) and largest estimated cost (records x fields) of an operation.
      maxDepth: Type.Integer({ minimum: 2, maximum: 50 }),
      maxCost: Type.Integer({ minimum: 10, maximum: 10_000_000 }),
      maxDocumentBytes: Type.Integer({ minimum: 256, maximum: 1_048_576 }),
      // Parsed and validated documents kept (src/engine/graphql/document-cache.ts): how many, how much memory; 0 is off.
      documentCacheEntries: Type.Integer({ minimum: 0, maximum: 100_000 }),
      documentCacheBytes: Type.Integer({ minimum: 0, maximum: 268_435_456 })
    }),
    // `npm run backup` (src/cli/backup.ts): where backups go and how many days of them are kept.
    backup: Type.Object({
      dir: Type.String({ minLength: 1 }),
      keepDays: Type.Number({ exclusiveMinimum: 0, maximum: 3650 })
    }),
    log: Type.Object({
      dir: Type.String(),
      keepDays: Type.Integer({ minimum: 1, maximum: 3650 }),
      level: Type.Union(
        ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))
      )
    })
  })
])

export type ApplicationConfiguration = Static<typeof configurationSchema>

const configurationValidator = getValidator(configurationSchema, dataValidator)

/** The environments config/ knows; any other NODE_ENV would silently run on development settings. */
export const ENVIRONMENTS = ['development', 'test', 'staging', 'production']
const DEPLOYED = ['staging', 'production']

/** A non-empty DATABASE_URL must be a postgres:// URL. */
const databaseUrlProblem = (url: string | undefined) => {
  if (!url) return undefined
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return 'DATABASE_URL (database.url) is not a URL: expected postgres://user:password@host:5432/database'
  }
  if (!['postgres:', 'postgresql:'].includes(parsed.protocol)) {
    return `DATABASE_URL (database.url) has the scheme ${parsed.protocol} instead of postgres:`
  }
  return undefined
}

const secretProblem = (variable: string, setting: string, value: string | undefined) => {
  if (value === undefined) return undefined
  if (isPublishedSecret(setting, value)) {
    return `${variable} (${setting}) is the default published in config/*.json: set a random string of at least 32 characters`
  }
  if (value.length < 32) return `${variable} (${setting}) is shorter than 32 characters`
  return undefined
}

/** What no JSON schema can check, every problem at once: NODE_ENV, the database URL, deployed secrets. */
export const deploymentProblems = (
  env: string | undefined,
  secret: string,
  webhookSecret?: string,
  databaseUrl?: string
): string[] => {
  const problems: (string | undefined)[] = []
  if (env !== undefined && !ENVIRONMENTS.includes(env)) {
    problems.push(`NODE_ENV=${env} is not one of ${ENVIRONMENTS.join(', ')}`)
  }
  problems.push(databaseUrlProblem(databaseUrl))
  // The embedded database is for development: a deployed instance keeps its data in PostgreSQL.
  if (env === 'production' && databaseUrl !== undefined && !databaseUrl) {
    problems.push('DATABASE_URL (database.url) is required with NODE_ENV=production (postgres://…)')
  }
  if (env && DEPLOYED.includes(env)) {
    problems.push(secretProblem('JWT_SECRET', 'authentication.secret', secret))
    problems.push(secretProblem('PAYMENT_WEBHOOK_SECRET', 'payments.webhookSecret', webhookSecret))
  }
  return problems.filter((p): p is string => !!p)
}

const invalid = (problems: string[]) =>
  new Error(
    `Invalid configuration (config/*.json and environment variables):\n${problems.map((p) => `  - ${p}`).join('\n')}`
  )

/** Throws naming every setting a deployed environment must not run with. */
export const assertDeployable = (...args: Parameters<typeof deploymentProblems>) => {
  const problems = deploymentProblems(...args)
  if (problems.length) throw invalid(problems)
}

/** A schema error's path as its environment variable when there is one: `/port` -> `PORT (port)`. */
const named = (instancePath: string) => {
  const setting = instancePath.slice(1).replace(/\//g, '.')
  const variable = environmentVariableOf(setting)
  return variable ? `${variable} (${setting})` : setting || '(root)'
}

/** Fails start-up (server and CLI alike) with every wrong setting named, before anything else happens. */
export const validateConfiguration = async (
  app: {
    get: (name: any) => any
    set: (name: any, value: any) => any
  },
  { serving = false } = {}
) => {
  const settings = config.util.toObject()
  const problems: string[] = [...environmentFormatProblems]
  try {
    await configurationValidator(settings)
  } catch (error: any) {
    // A union's failed alternatives ("must be equal to constant", "must match a schema in anyOf") say less than
    // the specific error beside them ("must NOT have fewer than 16 characters").
    const all: any[] = error.errors ?? []
    const specific = (e: any) =>
      !['const', 'anyOf'].includes(e.keyword) ||
      !all.some((o) => o.instancePath === e.instancePath && !['const', 'anyOf'].includes(o.keyword))
    const errors = all.filter(specific)
    // A union of literals: one line listing them.
    const allowed = (e: any) =>
      all
        .filter((o) => o.instancePath === e.instancePath && o.keyword === 'const')
        .map((o) => o.params.allowedValue)
    problems.push(
      ...errors
        .filter((e) => e.keyword !== 'anyOf' || !allowed(e).length)
        .map((e) =>
          e.keyword === 'const'
            ? `${named(e.instancePath)} must be one of ${allowed(e).join(', ')}`
            : `${named(e.instancePath)} ${(e.keyword === 'pattern' && PATTERN_HINTS[e.params.pattern]) || e.message}`
        )
    )
    if (!errors.length) problems.push(error.message)
  }
  problems.push(
    ...deploymentProblems(
      process.env.NODE_ENV,
      app.get('authentication')?.secret,
      app.get('payments')?.webhookSecret,
      app.get('database')?.url
    )
  )
  problems.push(...paymentProviderProblems(process.env.NODE_ENV, app.get('payments')))
  // A server's, with the others and before the database is opened: not one more start to learn of it.
  const metrics = serving && metricsProtectionProblem(process.env.NODE_ENV, app.get('metricsEndpoint'))
  if (metrics && ENVIRONMENTS.includes(process.env.NODE_ENV!)) problems.push(metrics)
  if (problems.length) throw invalid([...new Set(problems)])
  useInstallationSecrets(app, process.env.NODE_ENV)
}

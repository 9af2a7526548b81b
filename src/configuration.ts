import { Type, getValidator, defaultAppConfiguration, type Static } from '@feathersjs/typebox'
import config from 'config'
import { dataValidator } from './validators'

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
      acquireConnectionTimeout: Type.Integer({ minimum: 100 })
    }),
    redisUrl: Type.String(),
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
    // How long an Idempotency-Key is remembered (src/hooks/idempotency.ts); at most a year.
    idempotency: Type.Object({ ttlHours: Type.Number({ exclusiveMinimum: 0, maximum: 8760 }) }),
    // The payment provider and its webhooks (src/payments/, docs/api/payment-processing.md).
    payments: Type.Object({
      provider: Type.Union([Type.Literal('simulated')]),
      webhookSecret: Type.String({ minLength: 16 }),
      webhookToleranceSeconds: Type.Integer({ minimum: 1, maximum: 3600 })
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

const DEVELOPMENT_SECRET = 'development-only-secret-change-me-with-JWT_SECRET'

const DEVELOPMENT_WEBHOOK_SECRET = 'development-only-webhook-secret-change-me-with-PAYMENT_WEBHOOK_SECRET'

/** Checks no JSON schema can: a deployed environment must not run on the development JWT or webhook secret. */
export const assertDeployable = (
  env: string | undefined,
  secret: string,
  webhookSecret?: string,
  databaseUrl?: string
) => {
  // The embedded database is for development: a deployed instance keeps its data in PostgreSQL.
  if (env === 'production' && databaseUrl !== undefined && !databaseUrl) {
    throw new Error(
      'NODE_ENV=production needs DATABASE_URL (postgres://…): the embedded database is for development'
    )
  }
  if ((env === 'production' || env === 'staging') && (secret === DEVELOPMENT_SECRET || secret.length < 32)) {
    throw new Error(`NODE_ENV=${env} needs JWT_SECRET set to a random string of at least 32 characters`)
  }
  if (
    (env === 'production' || env === 'staging') &&
    webhookSecret !== undefined &&
    (webhookSecret === DEVELOPMENT_WEBHOOK_SECRET || webhookSecret.length < 32)
  ) {
    throw new Error(
      `NODE_ENV=${env} needs PAYMENT_WEBHOOK_SECRET set to the provider's webhook signing secret (at least 32 characters)`
    )
  }
}

/** Fails start-up (server and CLI alike) with every wrong setting named, before anything else happens. */
export const validateConfiguration = async (app: { get: (name: any) => any }) => {
  const settings = config.util.toObject()
  try {
    await configurationValidator(settings)
  } catch (error: any) {
    const details = (error.errors ?? []).map((e: any) => `${e.instancePath || '/'} ${e.message}`).join('; ')
    throw new Error(
      `Invalid configuration (config/*.json and environment variables): ${details || error.message}`
    )
  }
  assertDeployable(
    process.env.NODE_ENV,
    app.get('authentication').secret,
    app.get('payments')?.webhookSecret,
    app.get('database').url
  )
}

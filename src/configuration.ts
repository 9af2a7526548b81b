import { Type, getValidator, defaultAppConfiguration, type Static } from '@feathersjs/typebox'
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
    logger: Type.Object({
      level: Type.Union(
        ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))
      )
    })
  })
])

export type ApplicationConfiguration = Static<typeof configurationSchema>

export const configurationValidator = getValidator(configurationSchema, dataValidator)

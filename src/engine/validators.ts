import { Ajv, addFormats } from '@feathersjs/schema'
import type { FormatsPluginOptions } from '@feathersjs/schema'

const formats: FormatsPluginOptions = [
  'date-time',
  'time',
  'date',
  'email',
  'hostname',
  'ipv4',
  'ipv6',
  'uri',
  'uri-reference',
  'uuid',
  'uri-template',
  'json-pointer',
  'relative-json-pointer',
  'regex'
]

// As in a generated Feathers app: data is validated as sent, query strings are coerced (REST sends strings).
export const dataValidator: Ajv = addFormats(new Ajv({ allErrors: true, strict: false }), formats)
export const queryValidator: Ajv = addFormats(
  new Ajv({ allErrors: true, strict: false, coerceTypes: 'array' }),
  formats
)

// Checks one fuzz answer against /openapi.json: no 5xx, a documented status, a body matching its schema.
import { Ajv, addFormats } from '@feathersjs/schema'
import type { ValidateFunction } from 'ajv'
import type { FuzzRequest } from './fuzz-cases'
import type { Schema } from './fuzz-values'

export interface Answer {
  status: number
  body: unknown
  contentType: string
  /** The response headers the document may require (`Retry-After`). */
  headers: Headers
}

/** The records of a `$select` answer may lack required fields: the same document with `required` removed. */
const relaxed = (components: Schema): Schema =>
  JSON.parse(JSON.stringify(components), (key, value) => (key === 'required' ? undefined : value))

export const responseChecker = (document: Schema) => {
  const ajv = addFormats(new Ajv({ allErrors: false, strict: false }), ['date-time', 'email'])
  const strictComponents = document.components
  const looseComponents = relaxed(document.components)
  const cache = new Map<string, ValidateFunction>()
  const compile = (schema: Schema, loose: boolean) => {
    const key = `${loose}:${JSON.stringify(schema)}`
    if (!cache.has(key))
      cache.set(key, ajv.compile({ ...schema, components: loose ? looseComponents : strictComponents }))
    return cache.get(key)!
  }
  const responseOf = (request: FuzzRequest, status: number) => {
    const operation = document.paths[request.route][request.method]
    let response = operation.responses[String(status)]
    if (response?.$ref) response = document.components.responses[response.$ref.split('/').pop()]
    return response
  }

  /** What is wrong with the answer, or undefined when it keeps the contract. */
  return (request: FuzzRequest, answer: Answer): string | undefined => {
    if (answer.status >= 500) return `a ${answer.status}`
    const response = responseOf(request, answer.status)
    if (!response) {
      const documented = Object.keys(document.paths[request.route][request.method].responses).join(', ')
      return `status ${answer.status} is not documented (documented: ${documented})`
    }
    for (const header of Object.keys(response.headers ?? {}))
      if (!answer.headers.has(header)) return `the documented ${header} header is missing`
    const schema = response.content?.['application/json']?.schema
    if (!schema) return undefined
    if (!/application\/json/.test(answer.contentType)) return `content-type ${answer.contentType}, not JSON`
    const validate = compile(schema, answer.status < 300 && !!request.select)
    if (!validate(answer.body)) return `body does not match the schema: ${ajv.errorsText(validate.errors)}`
    if (request.select && answer.status < 300)
      return selectedOnly(request.select, answer.body, request.include)
    return undefined
  }
}

/**
 * With `$select`, a record holds only the selected fields, `id`, the relations asked for with `$include`, and
 * what behaviours add (an order's items).
 */
const selectedOnly = (select: string[], body: unknown, include: string[] = []) => {
  const records = Array.isArray(body)
    ? body
    : Array.isArray((body as Schema)?.data)
      ? (body as Schema).data
      : [body]
  const allowed = new Set([...select, ...include, 'id', 'items'])
  for (const record of records as Schema[]) {
    const extra = Object.keys(record).filter((key) => !allowed.has(key))
    if (extra.length) return `$select=${select.join(',')} answered more fields: ${extra.join(', ')}`
  }
  return undefined
}

// Declarations in, an OpenAPI 3.0.3 document out: what GET /openapi.json serves (src/ops/openapi.ts).
// Schemas are converted from the very JSON schemas the validators use (schemas.ts) and "who may call" is read
// from the access maps the policy enforces (policy.ts), so the document cannot drift from the server.
// 3.0.3 rather than 3.1: Postman, client generators and Swagger UI all read it, and its meta-schema checks
// every Schema Object (3.1's accepts almost anything), so an unconvertible keyword fails the test.
import {
  OWNER,
  PUBLIC,
  type Grant,
  type MethodName,
  type ResourceDeclaration,
  type Where
} from '../declarations/declaration'
import { behaviourContract, type BehaviourContract, type ContractOptions } from './behaviour-contract'
import { fieldTypes, type JsonSchema } from '../declarations/field-types'
import { checkConvertible } from './openapi-keywords'
import { ownerField } from '../runtime/policy'
import { resourceSchemas } from '../runtime/schemas'
import { resourceTypeNames, typeName } from './typegen'
import { isMutation } from '../vocabulary'

export interface OpenApiInfo {
  title: string
  version: string
  description?: string
  license?: { name: string; url?: string }
  servers?: { url: string; description?: string }[]
}

// ---- JSON Schema (draft-07, as TypeBox and ajv speak it) -> OpenAPI 3.0 Schema Object ---------------------

/** The keywords a 3.0 Schema Object may have; anything else (`$id`, `const`, `if`, …) is invalid there. */
const KEYWORDS = new Set([
  'title',
  'description',
  'type',
  'format',
  'enum',
  'default',
  'example',
  'multipleOf',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'maxProperties',
  'minProperties',
  'required',
  'properties',
  'additionalProperties',
  'items',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  'nullable',
  'readOnly',
  'writeOnly',
  'deprecated',
  '$ref'
])

const ANNOTATIONS = ['title', 'description', 'default', 'example', 'deprecated', 'readOnly', 'writeOnly']

/** 3.0 has no `type: 'null'`; this is the usual spelling of "only null". */
const NULL_ONLY: JsonSchema = { type: 'object', nullable: true, enum: [null] }

const isNullType = (schema: unknown) => (schema as JsonSchema | null)?.type === 'null'

const enumType = (values: unknown[]) => {
  if (values.every((value) => typeof value === 'string')) return 'string'
  if (values.every((value) => typeof value === 'boolean')) return 'boolean'
  if (values.every((value) => Number.isInteger(value))) return 'integer'
  if (values.every((value) => typeof value === 'number')) return 'number'
  return undefined
}

/**
 * `nullable` needs a `type` beside it (ajv refuses it otherwise), and an enum admits null only when it lists
 * null — so a nullable enum lists it too. A schema without a type that is not "anything" becomes `anyOf`.
 */
const withNull = (base: JsonSchema): JsonSchema => {
  // Anything (only annotations, no constraint) already includes null.
  if (Object.keys(base).every((key) => ANNOTATIONS.includes(key))) return base
  const values = Array.isArray(base.enum) ? (base.enum as unknown[]) : undefined
  const type = typeof base.type === 'string' ? base.type : values && enumType(values)
  if (type) return { ...base, type, nullable: true, ...(values && { enum: [...values, null] }) }
  const branches = Object.keys(base).length === 1 && Array.isArray(base.anyOf) ? base.anyOf : [base]
  return { anyOf: [...branches, NULL_ONLY] }
}

const mapValues = (object: unknown, convert: (value: unknown) => JsonSchema) =>
  Object.fromEntries(Object.entries(object as JsonSchema).map(([key, value]) => [key, convert(value)]))

/** One keyword in 3.0 terms: dropped, kept, or converted (subschemas recursively). */
const keyword = (key: string, value: unknown): JsonSchema => {
  if (key.startsWith('x-')) return { [key]: value }
  if (key === 'examples' && Array.isArray(value) && value.length) return { example: value[0] }
  if (!KEYWORDS.has(key)) return checkConvertible(key)
  switch (key) {
    case 'properties':
      return { properties: mapValues(value, openApiSchema) }
    case 'items':
      return { items: Array.isArray(value) ? { anyOf: value.map(openApiSchema) } : openApiSchema(value) }
    case 'additionalProperties':
      return { [key]: typeof value === 'boolean' ? value : openApiSchema(value) }
    case 'allOf':
    case 'anyOf':
    case 'oneOf':
      return { [key]: (value as unknown[]).map(openApiSchema) }
    case 'not':
      return { not: openApiSchema(value) }
    case 'required':
      // 3.0 wants at least one entry; an empty list says nothing anyway.
      return (value as string[]).length ? { required: value } : {}
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      // draft-07's number form is 3.0's bound plus a boolean.
      return typeof value === 'number'
        ? { [key === 'exclusiveMinimum' ? 'minimum' : 'maximum']: value, [key]: true }
        : { [key]: value }
    case '$ref':
      // A declaration's own `$ref` points into its own schema, which is not part of this document.
      return typeof value === 'string' && value.startsWith('#/components/') ? { $ref: value } : {}
  }
  return { [key]: value }
}

/** Converts one JSON schema: null unions become `nullable`, `const` an enum, unknown keywords are dropped. */
export const openApiSchema = (input: unknown): JsonSchema => {
  if (input === false) return { not: {} }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return {}
  const source = input as JsonSchema
  for (const key of ['anyOf', 'oneOf']) {
    const branches = source[key]
    if (!Array.isArray(branches) || !branches.some(isNullType)) continue
    const { [key]: _branches, ...siblings } = source
    const rest = branches.filter((branch) => !isNullType(branch))
    if (!rest.length) return NULL_ONLY
    // TypeBox puts a field's description on the non-null branch; hoisting it keeps it on the property.
    const base = rest.length === 1 ? { ...siblings, ...rest[0] } : { ...siblings, [key]: rest }
    return withNull(openApiSchema(base))
  }
  if (Array.isArray(source.type)) {
    const { type: types, ...rest } = source as { type: string[] }
    const concrete = types.filter((type) => type !== 'null')
    if (!concrete.length) return NULL_ONLY
    const base =
      concrete.length === 1
        ? { ...rest, type: concrete[0] }
        : { ...rest, anyOf: concrete.map((type) => ({ type })) }
    return types.includes('null') ? withNull(openApiSchema(base)) : openApiSchema(base)
  }
  if (isNullType(source)) return NULL_ONLY
  const output: JsonSchema = Object.assign(
    {},
    ...Object.entries(source).map(([key, value]) => keyword(key, value))
  )
  if ('const' in source) output.enum = [source.const]
  return output
}

// ---- Names ------------------------------------------------------------------------------------------------

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const pascal = (name: string) =>
  name
    .split(/[-_]/)
    .filter(Boolean)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join('')
/** order-items -> "order item", for summaries. */
const recordWords = (resource: ResourceDeclaration) =>
  typeName(resource.name)
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
const listName = (resource: ResourceDeclaration) => `${typeName(resource.name)}List`
const createdName = (resource: ResourceDeclaration) => `${typeName(resource.name)}Created`

// ---- Who may call -----------------------------------------------------------------------------------------

const describeCondition = (value: Where[string]): string => {
  if (value === null || typeof value !== 'object') return `= ${value}`
  const parts: string[] = []
  if (value.$in) parts.push(`in (${value.$in.join(', ')})`)
  if (value.$nin) parts.push(`not in (${value.$nin.join(', ')})`)
  if ('$ne' in value) parts.push(`≠ ${value.$ne}`)
  return parts.join(' and ')
}

const describeGrant = (
  resource: ResourceDeclaration,
  method: MethodName,
  principal: string,
  grant: Grant
) => {
  const notes: string[] = []
  if (principal === OWNER)
    notes.push(
      method === 'create'
        ? 'any logged-in user; the record is theirs'
        : `own records: ${ownerField(resource)} = their user id`
    )
  if (grant.where) {
    const conditions = Object.entries(grant.where).map(
      ([name, value]) => `${name} ${describeCondition(value)}`
    )
    notes.push(`${method === 'create' ? 'records' : 'rows'} where ${conditions.join(' and ')}`)
  }
  if (grant.fields) notes.push(`fields: ${grant.fields.join(', ')}`)
  return notes.length ? `${principal} (${notes.join('; ')})` : principal
}

/** "public (rows where status = active); admin; catalog": the principals of `access[method]` and their limits. */
export const describeAccess = (resource: ResourceDeclaration, method: MethodName) => {
  const grants = Object.entries(resource.access[method]).map(([principal, grant]) =>
    describeGrant(resource, method, principal, grant)
  )
  return `**Who may call:** ${grants.join('; ')}.`
}

const apiKeyNote = (resource: ResourceDeclaration, method: MethodName) =>
  `API keys: those with a scope for \`${method}\` on \`${resource.path}\` (every row).`

const describeStates = (resource: ResourceDeclaration) => {
  const machine = resource.states
  if (!machine) return []
  const lines = Object.entries(machine.transitions).map(([name, transition]) => {
    const who = transition.system ? 'the server only' : transition.roles.join(', ')
    return `- \`${name}\`: ${transition.from.join(', ')} → ${transition.to} (${who})`
  })
  // One block: the description's paragraphs are joined with blank lines, a list must not be.
  return [
    `**\`${machine.field}\` changes only through these transitions** (any other change is a 409 naming the ` +
      `transitions allowed now):\n${lines.join('\n')}`
  ]
}

// ---- Query parameters, from the compiled query schema -----------------------------------------------------

const OPERATORS: Record<string, string> = {
  $ne: 'not equal to',
  $lt: 'less than',
  $lte: 'at most',
  $gt: 'greater than',
  $gte: 'at least',
  $in: 'one of (repeat the parameter)',
  $nin: 'none of (repeat the parameter)',
  $ilike: 'case-insensitive pattern: % any characters, _ one character'
}

const FILTER_RULE =
  'A filter field is compared either by equality (`status=paid`) or by operators (`status[$ne]=paid`, ' +
  'combinable with each other), never both in one query (400). `$in`/`$nin` take at most 100 values; ' +
  'unknown fields and operators are a 400.'
const SELECT_NOTE =
  'With `$select[]`, each record holds only the selected fields and `id` (the generated types make it a `Pick`).'

const queryParameter = (name: string, schema: JsonSchema, description: string) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
  // `status[$in]=a&status[$in]=b`: the bracket style the REST transport's query parser reads.
  ...(schema.type === 'array' && { style: 'form', explode: true })
})

const filterParameters = (resource: ResourceDeclaration, query: JsonSchema) => {
  const properties = (query.properties ?? {}) as Record<string, JsonSchema>
  return resource.query.filter.flatMap((name) => {
    const schema = properties[name]
    const [value, operators] = Array.isArray(schema.anyOf)
      ? (schema.anyOf as JsonSchema[])
      : [schema, undefined]
    const byOperator = Object.entries((operators?.properties ?? {}) as Record<string, JsonSchema>)
    return [
      queryParameter(name, value, `${name} equals`),
      ...byOperator.map(([operator, operand]) =>
        queryParameter(`${name}[${operator}]`, operand, `${name} ${OPERATORS[operator] ?? operator}`)
      )
    ]
  })
}

const findParameters = (resource: ResourceDeclaration, query: JsonSchema) => {
  const paginate = resource.query.paginate
  return [
    ...filterParameters(resource, query),
    queryParameter(
      '$limit',
      { type: 'integer', minimum: 0, ...(paginate && { default: paginate.default }) },
      paginate
        ? `Page size: default ${paginate.default}, larger values are clamped to ${paginate.max}; 0 returns only \`total\``
        : 'At most this many records'
    ),
    queryParameter('$skip', { type: 'integer', minimum: 0, default: 0 }, 'Skip this many records'),
    ...resource.query.sort.map((name) =>
      queryParameter(
        `$sort[${name}]`,
        { type: 'integer', enum: [1, -1] },
        `Sort by ${name}: 1 ascending, -1 descending`
      )
    ),
    selectParameter(query)
  ]
}

const selectParameter = (query: JsonSchema) =>
  queryParameter(
    '$select[]',
    (query.properties as Record<string, JsonSchema>).$select,
    'Return only these fields (and `id`); the record then holds only those'
  )

// ---- Resource operations ----------------------------------------------------------------------------------

const response = (description: string, schema?: JsonSchema) => ({
  description,
  ...(schema && { content: { 'application/json': { schema } } })
})
const errorRef = (name: string) => ({ $ref: `#/components/responses/${name}` })

const ERROR_RESPONSES: Record<string, [string, string]> = {
  '400': [
    'BadRequest',
    'Invalid body or query (`errors[]` names every bad field), or a field you may not write'
  ],
  '401': [
    'NotAuthenticated',
    'A login is needed and none was sent, or the token or API key is invalid or expired'
  ],
  '403': ['Forbidden', 'Logged in, but no role of yours (or no scope of your API key) may call this'],
  '404': ['NotFound', 'No such record, or a record you may not see, or a malformed id'],
  '409': [
    'Conflict',
    'A unique field already taken, a stale `version`, a transition not allowed now, or a record still referenced'
  ],
  '413': [
    'PayloadTooLarge',
    'The body (over 1 MB) or the query is past a limit: size, keys, depth, array lengths or string sizes'
  ],
  '415': ['UnsupportedMediaType', 'The body is not sent as `content-type: application/json` (UTF-8)'],
  '502': ['BadGateway', 'The payment provider failed or did not answer; nothing was recorded, retry'],
  '422': ['Unprocessable', 'The `Idempotency-Key` was already used for a different request'],
  '429': ['TooManyRequests', 'Rate-limited: retry after `Retry-After` seconds'],
  '503': ['ServiceUnavailable', 'The database does not answer now: retry after `Retry-After` seconds']
}

/** Every route with a body may meet the body limits and the JSON-only rule before anything else runs. */
export const BODY_ERRORS = ['413', '415']
/** Queries are bounded like bodies (keys, depth, `$in` sizes): any resource operation may meet the limits. */
const QUERY_ERRORS = ['413']
const RETRY_AFTER = ['TooManyRequests', 'ServiceUnavailable']

/** Behaviours that rate-limit a method (src/contexts/identity/user-account.ts: anonymous registrations). */
const RATE_LIMITED: Record<string, MethodName[]> = { userAccount: ['create'] }

const BY_ID: MethodName[] = ['get', 'update', 'patch', 'remove']
const BODY_METHODS: MethodName[] = ['create', 'update', 'patch']

const mayConflict = (resource: ResourceDeclaration, method: MethodName, all: ResourceDeclaration[]) => {
  if (resource.idempotent && isMutation(method)) return true
  const fields = Object.values(resource.fields)
  if (method === 'remove')
    // Removing a row that a `restrict` reference still points at.
    return all.some((other) =>
      Object.values(other.fields).some(
        (field) =>
          field.type === 'ref' &&
          field.to === resource.name &&
          ['restrict', 'no action', undefined].includes(field.onDelete)
      )
    )
  if (method === 'patch' && resource.fields.version) return true
  return method !== 'find' && method !== 'get' && (fields.some((field) => field.unique) || !!resource.states)
}

const errorResponses = (
  resource: ResourceDeclaration,
  method: MethodName,
  all: ResourceDeclaration[],
  contract: BehaviourContract
) => {
  const codes = ['400', '401', '403']
  if (method === 'create' || method === 'patch') codes.push(...(contract.statuses[method] ?? []))
  if (BY_ID.includes(method)) codes.push('404')
  if (mayConflict(resource, method, all)) codes.push('409')
  codes.push(...(BODY_METHODS.includes(method) ? BODY_ERRORS : QUERY_ERRORS))
  if (resource.idempotent && isMutation(method)) codes.push('422')
  if (resource.behaviours.some((name) => RATE_LIMITED[name]?.includes(method))) codes.push('429')
  codes.push('503')
  return Object.fromEntries(
    [...new Set(codes)].sort().map((code) => [code, errorRef(ERROR_RESPONSES[code][0])])
  )
}

const SIGNED_IN = [{ bearerAuth: [] }, { apiKey: [] }]
/** `{}` first: a public method needs no credentials, but a token or key may widen what it returns. */
const securityOf = (resource: ResourceDeclaration, method: MethodName) =>
  resource.access[method][PUBLIC] ? [{}, ...SIGNED_IN] : SIGNED_IN

const article = (words: string) => `${/^[aeiou]/.test(words) ? 'an' : 'a'} ${words}`

const SUMMARIES: Record<MethodName, (words: string, resource: ResourceDeclaration) => string> = {
  find: (_, resource) => `List ${resource.name.replace(/-/g, ' ')}`,
  get: (words) => `Get one ${words}`,
  create: (words) => `Create ${article(words)}`,
  update: (words) => `Replace ${article(words)}`,
  patch: (words) => `Change ${article(words)}`,
  remove: (words, resource) => `Delete ${article(words)}${resource.softDelete ? ' (soft)' : ''}`
}

const operationId = (resource: ResourceDeclaration, method: MethodName) =>
  method === 'find' ? `find${pascal(resource.name)}` : `${method}${typeName(resource.name)}`

const headerParameters = (resource: ResourceDeclaration, method: MethodName) => [
  ...(resource.idempotent && isMutation(method) ? [{ $ref: '#/components/parameters/IdempotencyKey' }] : []),
  ...(method === 'patch' && resource.fields.version ? [{ $ref: '#/components/parameters/IfMatch' }] : [])
]

const operation = (
  resource: ResourceDeclaration,
  method: MethodName,
  query: JsonSchema,
  all: ResourceDeclaration[],
  options: ContractOptions
) => {
  const names = resourceTypeNames(resource)
  const contract = behaviourContract(resource, all, options)
  const record = ref(names.result)
  const notes = [`${describeAccess(resource, method)} ${apiKeyNote(resource, method)}`]
  if (method === 'create' || method === 'patch') notes.push(...(contract.rules[method] ?? []))
  if (method === 'find' && resource.query.filter.length) notes.push(FILTER_RULE)
  if (method === 'find' || method === 'get') notes.push(SELECT_NOTE)
  if (method === 'patch') notes.push(...describeStates(resource))
  if (method === 'create' && resource.states) {
    const initial = resource.fields[resource.states.field].default
    notes.push(`A new record starts as \`${resource.states.field}\` \`${initial}\`.`)
  }
  if (method === 'patch' && resource.fields.version)
    notes.push(
      'Send the expected `version` in the body or as `If-Match` to change only that version (else 409).'
    )
  const ok =
    method === 'find'
      ? response(
          resource.query.paginate ? 'A page of the records you may see' : 'Every record you may see',
          resource.query.paginate ? ref(listName(resource)) : { type: 'array', items: record }
        )
      : method === 'create' && Object.keys(contract.createdProperties).length
        ? response('The created record, with what only this answer shows', ref(createdName(resource)))
        : response(method === 'create' ? 'The created record' : 'The record', record)
  const body =
    method === 'create' || method === 'update' ? names.data : method === 'patch' ? names.patch : undefined
  const parameters = [
    ...(method === 'find'
      ? findParameters(resource, query)
      : method === 'get'
        ? [selectParameter(query)]
        : []),
    ...headerParameters(resource, method)
  ]
  return {
    tags: [resource.name],
    summary: SUMMARIES[method](recordWords(resource), resource),
    description: notes.join('\n\n'),
    operationId: operationId(resource, method),
    ...(parameters.length && { parameters }),
    ...(body && { requestBody: { required: true, content: { 'application/json': { schema: ref(body) } } } }),
    responses: {
      [method === 'create' ? '201' : '200']: ok,
      ...errorResponses(resource, method, all, contract)
    },
    security: securityOf(resource, method)
  }
}

const offered = (resource: ResourceDeclaration, method: MethodName) =>
  Object.keys(resource.access[method]).length > 0

const HTTP_METHODS: Record<MethodName, string> = {
  find: 'get',
  get: 'get',
  create: 'post',
  update: 'put',
  patch: 'patch',
  remove: 'delete'
}

const resourcePaths = (
  resource: ResourceDeclaration,
  all: ResourceDeclaration[],
  options: ContractOptions
) => {
  const query = openApiSchema(resourceSchemas(resource).query)
  const item = (methods: MethodName[]) =>
    Object.fromEntries(
      methods
        .filter((method) => offered(resource, method))
        .map((method) => [HTTP_METHODS[method], operation(resource, method, query, all, options)])
    )
  const collection = item(['find', 'create'])
  const byId = item(['get', 'update', 'patch', 'remove'])
  const paths: Record<string, unknown> = {}
  if (Object.keys(collection).length) paths[`/${resource.path}`] = collection
  if (resource.fields.id?.owner) Object.assign(paths, mePath(resource, byId))
  if (Object.keys(byId).length)
    paths[`/${resource.path}/{id}`] = { parameters: [{ $ref: '#/components/parameters/Id' }], ...byId }
  return paths
}

/**
 * `GET` / `PATCH /users/me`: on a resource whose owner is the record itself, `me` is the caller's own id
 * (src/engine/pipeline/scope-query.ts). Bearer tokens only: API keys have no user id.
 */
const mePath = (resource: ResourceDeclaration, byId: Record<string, any>) => {
  const me = Object.fromEntries(
    (['get', 'patch'] as const)
      .filter((method) => byId[method])
      .map((method) => {
        const { parameters: _, ...rest } = byId[method]
        return [
          method,
          {
            ...rest,
            summary: `${method === 'get' ? 'Your' : 'Change your'} own ${recordWords(resource)} record`,
            description: `\`me\` stands for your own user id (API keys have no user). ${describeAccess(resource, method)}`,
            // `getMe` on users; `getMyTask` should another resource be owned by its own id.
            operationId: resource.name === 'users' ? `${method}Me` : `${method}My${typeName(resource.name)}`,
            ...(method === 'get' && { parameters: byId.get.parameters }),
            security: [{ bearerAuth: [] }]
          }
        ]
      })
  )
  return Object.keys(me).length ? { [`/${resource.path}/me`]: me } : {}
}

// ---- Component schemas -------------------------------------------------------------------------------------

const READONLY_NOTE =
  'Readonly: only principals granted this field explicitly (access `fields`) may write it.'
const OWNER_NOTE =
  "The record's owner: set to the caller when left out on create; only principals granted it may write it."

/** Data and patch bodies: hidden and virtual fields are write-only; readonly and owner fields say who may write. */
const annotateWritable = (resource: ResourceDeclaration, schema: JsonSchema): JsonSchema => {
  const properties = schema.properties as Record<string, JsonSchema>
  for (const [name, property] of Object.entries(properties)) {
    const field = resource.fields[name]
    if (!field) continue
    if (field.hidden || field.virtual) property.writeOnly = true
    const note = field.owner ? OWNER_NOTE : field.readonly ? READONLY_NOTE : undefined
    if (note) property.description = property.description ? `${property.description}. ${note}` : note
  }
  return schema
}

/** A copy of an object schema with more properties, all required (what a behaviour always adds). */
const withProperties = (schema: JsonSchema, extra: Record<string, JsonSchema>): JsonSchema => {
  if (!Object.keys(extra).length) return schema
  return {
    ...schema,
    required: [...((schema.required as string[]) ?? []), ...Object.keys(extra)],
    properties: { ...(schema.properties as object), ...mapValues(extra, openApiSchema) }
  }
}

/** The create/update body: what behaviours require on create, and the values they accept. */
const dataComponent = (resource: ResourceDeclaration, data: JsonSchema, contract: BehaviourContract) => {
  const properties = data.properties as Record<string, JsonSchema>
  for (const [name, values] of Object.entries(contract.fieldValues))
    if (properties[name]) properties[name] = { ...properties[name], enum: values }
  const required = [...((data.required as string[]) ?? []), ...contract.requiredOnCreate]
  return {
    ...data,
    ...(required.length && { required: [...new Set(required)] }),
    description: `The body of create and update on /${resource.path}.`
  }
}

const resourceComponents = (
  resource: ResourceDeclaration,
  all: ResourceDeclaration[],
  options: ContractOptions
) => {
  const schemas = resourceSchemas(resource)
  const names = resourceTypeNames(resource)
  const contract = behaviourContract(resource, all, options)
  const result = withProperties(openApiSchema(schemas.result), contract.resultProperties)
  // Only the shapes some operation uses: a read-only resource has no data or patch body.
  const components: Record<string, JsonSchema> = {
    [names.result]: {
      ...result,
      description: `A record of /${resource.path}${resource.description ? `: ${resource.description}` : '.'}`
    }
  }
  if (offered(resource, 'create') && Object.keys(contract.createdProperties).length)
    components[createdName(resource)] = {
      ...withProperties(result, contract.createdProperties),
      description: `The answer of create on /${resource.path}: the record and what only this answer shows.`
    }
  if (offered(resource, 'create') || offered(resource, 'update'))
    components[names.data] = dataComponent(
      resource,
      annotateWritable(resource, openApiSchema(schemas.data)),
      contract
    )
  if (offered(resource, 'patch'))
    components[names.patch] = {
      ...annotateWritable(resource, openApiSchema(schemas.patch)),
      description: `The body of patch on /${resource.path}: only the fields to change.`
    }
  if (resource.query.paginate && offered(resource, 'find'))
    components[listName(resource)] = {
      type: 'object',
      description: `A page of /${resource.path}: page on with \`$skip += limit\` until \`skip + data.length >= total\`.`,
      required: ['total', 'limit', 'skip', 'data'],
      additionalProperties: false,
      properties: {
        total: { type: 'integer', minimum: 0, description: 'Every matching record you may see' },
        limit: { type: 'integer', minimum: 0 },
        skip: { type: 'integer', minimum: 0 },
        data: { type: 'array', items: ref(names.result) }
      }
    }
  return components
}

const ERROR_SCHEMA: JsonSchema = {
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

// ---- Routes that are not resources ------------------------------------------------------------------------

const json = (schema: JsonSchema) => ({ content: { 'application/json': { schema } } })

const fixedSchemas = (users?: ResourceDeclaration): Record<string, JsonSchema> => ({
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
  },
  WebhookEvent: {
    type: 'object',
    required: ['id', 'type', 'paymentId'],
    properties: {
      id: {
        type: 'string',
        minLength: 1,
        maxLength: 255,
        description: "The provider's event id; processed once"
      },
      type: { type: 'string', minLength: 1, maxLength: 64, example: 'payment.captured' },
      paymentId: { type: 'integer', minimum: 1 },
      amountCents: {
        type: 'integer',
        minimum: 0,
        description: "Required on payment.captured; must equal the payment's amount (else 422)"
      },
      currency: { type: 'string', maxLength: 3, description: "Required on payment.captured; the payment's" },
      orderId: { type: 'integer', minimum: 1, description: "Optional; must be the payment's order" },
      providerRef: { type: 'string', maxLength: 128, description: "Optional; must be the payment's" },
      failureReason: { type: 'string' }
    }
  },
  WebhookOutcome: {
    type: 'object',
    required: ['received'],
    properties: {
      received: { type: 'boolean', enum: [true] },
      duplicate: { type: 'boolean', description: 'This event id was processed before' },
      ignored: { type: 'string', description: 'Why nothing changed' },
      paymentId: { type: 'integer' },
      status: { type: 'string', description: 'The payment status after the event' }
    }
  },
  Readiness: {
    type: 'object',
    required: ['status', 'database'],
    properties: {
      status: { type: 'string', enum: ['ok', 'unavailable'] },
      database: { type: 'string', enum: ['postgres', 'pglite'] }
    }
  }
})

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

/** `POST /payments/webhook` (src/contexts/payments/webhook.ts): signed by the provider, no credentials. */
const webhookPath = {
  '/payments/webhook': {
    post: {
      tags: ['payments'],
      summary: 'Payment provider webhook',
      description:
        'For the payment provider: the raw body must be signed. Each event id is processed once; an unknown ' +
        'payment is a 404 (nothing is recorded, so the provider retries).',
      operationId: 'paymentWebhook',
      parameters: [
        {
          name: 'X-Signature',
          in: 'header',
          required: true,
          description: '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with the webhook secret',
          schema: { type: 'string' }
        }
      ],
      requestBody: { required: true, ...json(ref('WebhookEvent')) },
      responses: {
        '200': { description: 'The event was received', ...json(ref('WebhookOutcome')) },
        '400': errorRef('BadRequest'),
        '401': errorRef('NotAuthenticated'),
        '404': errorRef('NotFound'),
        '413': errorRef('PayloadTooLarge'),
        '415': errorRef('UnsupportedMediaType'),
        '422': {
          description:
            'The event contradicts the payment (amount, currency, order or reference): recorded, refused',
          ...json(ref('Error'))
        },
        '503': errorRef('ServiceUnavailable')
      },
      security: []
    }
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

// ---- The document -------------------------------------------------------------------------------------------

const DESCRIPTION = [
  'Generated from the resource declarations (`src/contexts/*/*.yaml`); every resource also answers the same ' +
    'methods over Socket.io.',
  'Authenticate with `Authorization: Bearer <accessToken>` from `POST /authentication`, or `X-API-Key` for ' +
    'services. Principals in the "who may call" notes: `public` is everyone, anonymous included; ' +
    '`authenticated` every logged-in user; `owner` a user on their own records; any other name is a role.',
  'Methods that are not listed answer 405. Every response carries `X-Request-Id`.'
].join('\n\n')

/** A relative URL: the API is where the document was fetched from, whatever host or port that is. */
const SAME_ORIGIN = { url: '/', description: 'This server: the origin /openapi.json was fetched from' }

const securitySchemes = {
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

const parameters = {
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

const errorComponents = () =>
  Object.fromEntries(
    Object.values(ERROR_RESPONSES).map(([name, description]) => [
      name,
      {
        description,
        ...(RETRY_AFTER.includes(name) && {
          headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } }
        }),
        ...json(ref('Error'))
      }
    ])
  )

/** Each schema name once: a resource named so that its type clashes (say `webhook-events`) fails loudly. */
const componentSchemas = (
  resources: ResourceDeclaration[],
  all: ResourceDeclaration[],
  options: ContractOptions,
  users?: ResourceDeclaration
) => {
  const fixed = { Error: ERROR_SCHEMA, ...fixedSchemas(users) }
  const schemas: Record<string, JsonSchema> = { Error: ERROR_SCHEMA }
  for (const resource of resources) {
    for (const [name, schema] of Object.entries(resourceComponents(resource, all, options))) {
      if (name in fixed || name in schemas)
        throw new Error(
          `${resource.file}: resource '${resource.name}' would define the OpenAPI schema ${name}, ` +
            'which is already taken; rename the resource'
        )
      schemas[name] = schema
    }
  }
  return { ...schemas, ...fixed }
}

/** The OpenAPI 3.0.3 document of these declarations: every offered method, its schemas, who may call it. */
export const openApiDocument = (
  resources: ResourceDeclaration[],
  info: OpenApiInfo,
  options: ContractOptions = {}
) => {
  const pathsOf = new Map(
    resources.map((resource) => [resource, resourcePaths(resource, resources, options)])
  )
  const exposed = resources.filter((resource) => Object.keys(pathsOf.get(resource)!).length)
  const users = resources.find((resource) => resource.name === 'users')
  return {
    openapi: '3.0.3',
    info: {
      title: info.title,
      version: info.version,
      description: info.description ?? DESCRIPTION,
      ...(info.license && { license: info.license })
    },
    servers: info.servers ?? [SAME_ORIGIN],
    tags: [
      { name: 'authentication', description: 'Logins, refresh and logout' },
      ...exposed.map((resource) => ({
        name: resource.name,
        ...(resource.description && { description: resource.description })
      })),
      { name: 'operations', description: 'Health and metrics' }
    ],
    paths: {
      ...authenticationPath,
      ...Object.assign({}, ...exposed.map((resource) => pathsOf.get(resource))),
      ...(resources.some((resource) => resource.name === 'payments') && webhookPath),
      ...operationsPaths
    },
    components: {
      // The login answer carries the user record even if /users offered nothing itself.
      schemas: componentSchemas(
        users && !exposed.includes(users) ? [...exposed, users] : exposed,
        resources,
        options,
        users
      ),
      responses: errorComponents(),
      parameters,
      securitySchemes
    }
  }
}

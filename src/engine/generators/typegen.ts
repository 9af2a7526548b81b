// Declarations in, TypeScript source out: the text of src/generated/{types,services,client}.ts.
// Types are printed from the very JSON schemas the validators use (schemas.ts), so they cannot disagree.
import { behaviourContract, type ContractRegistry } from './behaviour-contract'
import type { ResourceDeclaration } from '../declarations/declaration'
import type { JsonSchema } from '../declarations/field-types'
import { dataSchema, querySchema, resultSchema } from '../runtime/schemas'
import { CLIENT_HELPERS } from './typegen-client'
import { GENERATED_HEADER, typeName } from './type-names'
import { vocabularyNames } from './typegen-vocabularies'
import type { Vocabulary } from '../declarations/vocabularies'

export { GENERATED_HEADER, typeName }

// ---- A JSON Schema -> TypeScript printer for the subset schemas.ts emits --------------------------------

interface Printed {
  text: string
  /** A top-level union needs parentheses inside `T[]`. */
  union?: boolean
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

const quote = (value: string) =>
  `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`
const literal = (value: unknown) => (typeof value === 'string' ? quote(value) : JSON.stringify(value))
const propertyKey = (name: string) => (IDENTIFIER.test(name) ? name : quote(name))

const union = (members: string[]): Printed => {
  const unique = [...new Set(members)]
  // `unknown | null` says nothing more than `unknown`.
  if (unique.includes('unknown')) return { text: 'unknown' }
  return unique.length === 1 ? { text: unique[0] } : { text: unique.join(' | '), union: true }
}

const print = (schema: unknown): Printed => {
  if (typeof schema !== 'object' || schema === null) return { text: schema === false ? 'never' : 'unknown' }
  const s = schema as JsonSchema
  if ('const' in s) return { text: literal(s.const) }
  if (Array.isArray(s.enum)) return s.enum.length ? union(s.enum.map(literal)) : { text: 'never' }
  const branches = (s.anyOf ?? s.oneOf) as unknown[] | undefined
  if (Array.isArray(branches)) return union(branches.map((branch) => print(branch).text))
  if (Array.isArray(s.type)) return union(s.type.map((type) => print({ ...s, type }).text))
  switch (s.type) {
    case 'string':
      return { text: 'string' }
    case 'integer':
    case 'number':
      return { text: 'number' }
    case 'boolean':
      return { text: 'boolean' }
    case 'null':
      return { text: 'null' }
    case 'array': {
      const items = Array.isArray(s.items) ? { text: 'unknown' } : print(s.items ?? {})
      return { text: items.union ? `(${items.text})[]` : `${items.text}[]` }
    }
    case 'object':
      return { text: objectType(s) }
  }
  return { text: 'unknown' }
}

/** Property lines of an object schema; `comments` adds JSDoc (top-level interfaces only, to keep nesting terse). */
const members = (schema: JsonSchema, comments?: (name: string, property: JsonSchema) => string[]) => {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>
  const required = new Set((schema.required ?? []) as string[])
  const lines = Object.entries(properties).map(([name, property]) => {
    const doc = comments ? jsDoc(comments(name, property)) : ''
    return `${doc}${propertyKey(name)}${required.has(name) ? '' : '?'}: ${print(property).text}`
  })
  const extra = schema.additionalProperties
  if (extra !== false) {
    // An index signature must admit every declared property, so only a bare record keeps its value type.
    const value = lines.length || extra === undefined || extra === true ? 'unknown' : print(extra).text
    lines.push(`[key: string]: ${value}`)
  }
  return lines
}

const objectType = (schema: JsonSchema) => {
  const lines = members(schema)
  if (!lines.length) return 'Record<string, never>'
  if (lines.length === 1 && lines[0].startsWith('[key: string]: '))
    return `Record<string, ${lines[0].slice(15)}>`
  return `{ ${lines.join('; ')} }`
}

const jsDoc = (lines: string[]) => {
  const text = lines.flatMap((line) => line.split('\n')).map((line) => line.replace(/\*\//g, '*\\/'))
  if (!text.length) return ''
  return text.length === 1
    ? `/** ${text[0]} */\n`
    : `/**\n${text.map((line) => ` * ${line}`).join('\n')}\n */\n`
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')

const printInterface = (
  name: string,
  schema: JsonSchema,
  doc: string[],
  comments: (name: string, property: JsonSchema) => string[]
) => {
  const body = members(schema, comments).map(indent).join('\n')
  return `${jsDoc(doc)}export interface ${name} {\n${body}\n}`
}

// ---- Names ------------------------------------------------------------------------------------------------

export interface ResourceTypeNames {
  result: string
  data: string
  patch: string
  query: string
}

export const resourceTypeNames = (resource: ResourceDeclaration): ResourceTypeNames => {
  const base = typeName(resource.name)
  return { result: base, data: `${base}Data`, patch: `${base}Patch`, query: `${base}Query` }
}

/** Names the generated modules import or declare themselves; a resource type must not shadow them. */
const RESERVED = [
  'Application',
  'ClientService',
  'Id',
  'Paginated',
  'Params',
  'ClientServiceTypes',
  'ClientApplication',
  'ResourceClient',
  'Selected',
  'TypedService'
]

/** `ApiKeyCreated`: the create answer, when a behaviour adds to it (an API key's one-time secret). */
const createdTypeName = (
  resource: ResourceDeclaration,
  all: ResourceDeclaration[],
  contracts: ContractRegistry
) =>
  Object.keys(behaviourContract(resource, all, { contracts }).createdProperties).length
    ? `${typeName(resource.name)}Created`
    : undefined

/** Two resources (say `user-data` and `users`) could print the same type name; fail loudly instead. */
const checkNames = (
  resources: ResourceDeclaration[],
  contracts: ContractRegistry,
  vocabularies: Vocabulary[] = []
) => {
  const owners = new Map(RESERVED.map((name) => [name, '@feathersjs/feathers or client.ts']))
  for (const vocabulary of vocabularies)
    owners.set(vocabularyNames(vocabulary).type, `vocabulary '${vocabulary.name}'`)
  for (const resource of resources) {
    const created = createdTypeName(resource, resources, contracts)
    for (const name of [...Object.values(resourceTypeNames(resource)), ...(created ? [created] : [])]) {
      const owner = owners.get(name)
      if (owner)
        throw new Error(
          `${resource.file}: resource '${resource.name}' would generate type ${name}, ` +
            `already taken by ${owner}; rename the resource`
        )
      owners.set(name, `resource '${resource.name}'`)
    }
  }
}

// ---- The three generated modules ----------------------------------------------------------------------

const describeOf = (property: JsonSchema): string[] => {
  const own = [property, ...((property.anyOf ?? []) as JsonSchema[])]
  const description = own.find((schema) => typeof schema.description === 'string')?.description as
    string | undefined
  const format = own.find((schema) => typeof schema.format === 'string')?.format as string | undefined
  return [...(description ? [description] : []), ...(format ? [`@format ${format}`] : [])]
}

const READONLY_NOTE =
  'Readonly: only principals granted this field explicitly (access `fields`) may write it.'

/** The record schema with what behaviours add to every result (an order's `items`). */
const withBehaviours = (schema: JsonSchema, extra: Record<string, JsonSchema>): JsonSchema => ({
  ...schema,
  properties: { ...(schema.properties as object), ...extra },
  required: [...((schema.required as string[]) ?? []), ...Object.keys(extra)]
})

/** The create body with the fields behaviours require (an order's `items`). */
const requiring = (schema: JsonSchema, names: string[]): JsonSchema =>
  names.length
    ? { ...schema, required: [...new Set([...((schema.required as string[]) ?? []), ...names])] }
    : schema

const createdType = (
  resource: ResourceDeclaration,
  all: ResourceDeclaration[],
  contracts: ContractRegistry
) => {
  const name = createdTypeName(resource, all, contracts)
  if (!name) return []
  const extra = behaviourContract(resource, all, { contracts }).createdProperties
  const body = members(
    { properties: extra, required: Object.keys(extra), additionalProperties: false },
    (_, p) => describeOf(p)
  )
  return [
    `${jsDoc([`The answer of create on /${resource.path}: the record and what only this answer shows.`])}` +
      `export interface ${name} extends ${resourceTypeNames(resource).result} {\n${body.map(indent).join('\n')}\n}`
  ]
}

const resourceTypes = (
  resource: ResourceDeclaration,
  all: ResourceDeclaration[],
  contracts: ContractRegistry
) => {
  const names = resourceTypeNames(resource)
  const contract = behaviourContract(resource, all, { contracts })
  const where = `/${resource.path}`
  const withNotes = (name: string, property: JsonSchema) => [
    ...describeOf(property),
    ...(resource.fields[name]?.readonly ? [READONLY_NOTE] : [])
  ]
  return [
    printInterface(
      names.result,
      withBehaviours(resultSchema(resource) as JsonSchema, contract.resultProperties),
      [`A record of ${where}${resource.description ? `: ${resource.description}` : '.'}`],
      (_, property) => describeOf(property)
    ),
    printInterface(
      names.data,
      requiring(dataSchema(resource, { partial: false }) as JsonSchema, contract.requiredOnCreate),
      [`The body of create and update on ${where}.`],
      withNotes
    ),
    printInterface(
      names.patch,
      dataSchema(resource, { partial: true }) as JsonSchema,
      [`The body of patch on ${where}.`],
      withNotes
    ),
    printInterface(
      names.query,
      querySchema(resource) as JsonSchema,
      [`The query of find on ${where} (and of get, patch and remove by id).`],
      () => []
    ),
    ...createdType(resource, all, contracts)
  ].join('\n\n')
}

/**
 * The record, body and query types; `contracts` (the domain's) add what behaviours put into them, and the
 * vocabularies' types (`Currency`) are re-exported from vocabularies.ts so clients get them with the rest.
 */
export const generateTypes = (
  resources: ResourceDeclaration[],
  contracts: ContractRegistry = {},
  vocabularies: Vocabulary[] = []
): string => {
  checkNames(resources, contracts, vocabularies)
  const reexport = vocabularies.length
    ? [`export type { ${vocabularies.map((v) => vocabularyNames(v).type).join(', ')} } from './vocabularies'`]
    : []
  const types = resources.map((resource) => resourceTypes(resource, resources, contracts))
  const body = [...reexport, ...types].join('\n\n') || 'export {}'
  return `${GENERATED_HEADER}\n\n${body}\n`
}

/** The server's typed service map (src/declarations.ts extends it): each path's record, bodies and pages. */
export const generateServices = (resources: ResourceDeclaration[]): string => {
  const entries = resources.map((resource) => {
    const { result, data, patch } = resourceTypeNames(resource)
    const found = resource.query.paginate ? "'page'" : "'list'"
    return `  ${propertyKey(resource.path)}: TypedService<${result}, ${data}, ${patch}, ${found}>`
  })
  const typeImports = resources.flatMap((resource) => {
    const { result, data, patch } = resourceTypeNames(resource)
    return [result, data, patch]
  })
  return [
    GENERATED_HEADER,
    '',
    ...(resources.length
      ? [
          "import type { TypedService } from '../engine/runtime/typed-service'",
          `import type { ${typeImports.join(', ')} } from './types'`,
          ''
        ]
      : []),
    '/** The server-side service map: one entry per declared resource, typed by the generated types. */',
    `export interface ServiceTypes {${entries.length ? `\n${entries.join('\n')}\n` : ''}}`,
    ''
  ].join('\n')
}

/** The client's typed service map: types only, so a browser bundle can import it without server code. */
export const generateClient = (
  resources: ResourceDeclaration[],
  contracts: ContractRegistry = {}
): string => {
  checkNames(resources, contracts)
  const feathersImports = resources.length
    ? ['Application', 'ClientService', 'Id', 'Paginated', 'Params']
    : ['Application']
  const created = (resource: ResourceDeclaration) => createdTypeName(resource, resources, contracts)
  const typeImports = resources.flatMap((resource) => [
    ...Object.values(resourceTypeNames(resource)),
    ...(created(resource) ? [created(resource)!] : [])
  ])
  const entries = resources.map((resource) => {
    const { result, data, patch, query } = resourceTypeNames(resource)
    const always = Object.keys(behaviourContract(resource, resources, { contracts }).resultProperties)
    const found = resource.query.paginate ? "'page'" : "'list'"
    const extra = always.length
      ? [created(resource) ?? result, always.map(quote).join(' | ')]
      : created(resource)
        ? [created(resource)!]
        : []
    const args = [result, data, patch, query, found, ...extra].join(', ')
    return `  ${propertyKey(resource.path)}: ResourceClient<${args}>`
  })
  return [
    GENERATED_HEADER,
    '',
    `import type { ${feathersImports.join(', ')} } from '@feathersjs/feathers'`,
    ...(typeImports.length ? [`import type { ${typeImports.join(', ')} } from './types'`] : []),
    '',
    "export type * from './types'",
    '',
    ...(resources.length ? [CLIENT_HELPERS, ''] : []),
    '/** The client-side service map: `app.service(path)` is typed by path. */',
    `export interface ClientServiceTypes {${entries.length ? `\n${entries.join('\n')}\n` : ''}}`,
    '',
    '/** What `feathers<ClientServiceTypes>()` returns once a REST or Socket.io connection is configured. */',
    'export type ClientApplication = Application<ClientServiceTypes>',
    ''
  ].join('\n')
}

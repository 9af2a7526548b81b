// Declarations in, an OpenAPI 3.0.3 document out: what GET /openapi.json serves (src/ops/openapi.ts).
// 3.0.3 rather than 3.1: Postman, client generators and Swagger UI all read it, and its meta-schema checks
// every Schema Object (3.1's accepts almost anything), so an unconvertible keyword fails the test.
import type { ResourceDeclaration } from '../../declarations/declaration'
import type { JsonSchema } from '../../declarations/field-types'
import type { Domain, Settings } from '../../domain'
import type { ContractSources } from '../behaviour-contract'
import type { OpenApiContribution, PlatformContributions } from './contribution'
import { resourceComponents } from './components'
import { resourcePaths } from './paths'
import { errorComponents } from './responses'
import { DESCRIPTION, ERROR_SCHEMA, SAME_ORIGIN, parameters, securitySchemes } from './shared'

export interface OpenApiInfo {
  title: string
  version: string
  description?: string
  license?: { name: string; url?: string }
  servers?: { url: string; description?: string }[]
}

export interface DocumentSources {
  /** What the contexts add: behaviour contracts and paths of their own (src/contexts/index.ts). */
  domain?: Pick<Domain, 'contracts' | 'openApi'>
  /** The configuration, for contracts that depend on it (the payment methods of the configured provider). */
  settings?: Settings
  /** The platform's paths (authentication, health), from src/ops/openapi.ts. */
  platform?: PlatformContributions
}

/** Each schema name once: a resource named so that its type clashes (say `webhook-events`) fails loudly. */
const componentSchemas = (
  resources: ResourceDeclaration[],
  all: ResourceDeclaration[],
  sources: ContractSources,
  contributions: OpenApiContribution[]
) => {
  const fixed: Record<string, JsonSchema> = Object.assign(
    { Error: ERROR_SCHEMA },
    ...contributions.map((contribution) => contribution.schemas?.(all) ?? {})
  )
  const schemas: Record<string, JsonSchema> = { Error: ERROR_SCHEMA }
  for (const resource of resources) {
    for (const [name, schema] of Object.entries(resourceComponents(resource, all, sources))) {
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

const tag = (resource: ResourceDeclaration) => ({
  name: resource.name,
  ...(resource.description && { description: resource.description })
})

/** The OpenAPI 3.0.3 document of these declarations: every offered method, its schemas, who may call it. */
export const openApiDocument = (
  resources: ResourceDeclaration[],
  info: OpenApiInfo,
  { domain, settings, platform = {} }: DocumentSources = {}
) => {
  const sources: ContractSources = { contracts: domain?.contracts, settings }
  const pathsOf = new Map(
    resources.map((resource) => [resource, resourcePaths(resource, resources, sources)])
  )
  const exposed = resources.filter((resource) => Object.keys(pathsOf.get(resource)!).length)
  const [first, middle, last] = [platform.first ?? [], domain?.openApi ?? [], platform.last ?? []]
  const contributions = [...first, ...middle, ...last]
  const paths = (list: OpenApiContribution[]) => list.map((contribution) => contribution.paths(resources))
  // A record schema a contribution refers to (the login answer's user) even if its resource offered nothing.
  const used = resources.filter(
    (resource) => !exposed.includes(resource) && contributions.some((c) => c.uses?.includes(resource.name))
  )
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
      ...first.flatMap((contribution) => contribution.tags ?? []),
      ...exposed.map(tag),
      ...[...middle, ...last].flatMap((contribution) => contribution.tags ?? [])
    ],
    paths: Object.assign(
      {},
      ...paths(first),
      ...exposed.map((resource) => pathsOf.get(resource)),
      ...paths([...middle, ...last])
    ),
    components: {
      schemas: componentSchemas([...exposed, ...used], resources, sources, contributions),
      responses: errorComponents(),
      parameters,
      securitySchemes
    }
  }
}

// The paths of one resource: `/x`, `/x/{id}`, and `/x/me` when a record is owned by itself (users).
import type { MethodName, ResourceDeclaration } from '../../declarations/declaration'
import type { ContractSources } from '../behaviour-contract'
import { resourceSchemas } from '../../runtime/schemas'
import { typeName } from '../typegen'
import { describeAccess } from './access'
import { offered, recordWords } from './names'
import { operation } from './operation'
import { openApiSchema } from './schema'

const HTTP_METHODS: Record<MethodName, string> = {
  find: 'get',
  get: 'get',
  create: 'post',
  update: 'put',
  patch: 'patch',
  remove: 'delete'
}

export const resourcePaths = (
  resource: ResourceDeclaration,
  all: ResourceDeclaration[],
  sources: ContractSources
) => {
  const query = openApiSchema(resourceSchemas(resource).query)
  const item = (methods: MethodName[]) =>
    Object.fromEntries(
      methods
        .filter((method) => offered(resource, method))
        .map((method) => [HTTP_METHODS[method], operation(resource, method, query, all, sources)])
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

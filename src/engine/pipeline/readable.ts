import type { HookContext } from '@feathersjs/feathers'
import type { ResourceDeclaration } from '../declarations/declaration'
import { decideAccess, matchesWhere } from '../runtime/policy'
import { keyAllows } from '../../auth/api-keys'
import { identityOf } from './authorize'

type Row = Record<string, unknown>

/** Whether a call acts as an API key (the key authenticated this very call). */
export const actsAsApiKey = (context: HookContext) =>
  Boolean(context.params.apiKey && context.params.authentication?.strategy === 'apiKey')

/**
 * Which rows of `resource` the caller of `context` may `get`: its declared `access.get` (roles, owner, row
 * conditions), an API key's scopes, or every row for an internal call. Soft-deleted rows never.
 */
export const readableBy = (context: HookContext, resource: ResourceDeclaration): ((row: Row) => boolean) => {
  const live = (row: Row) => !resource.softDelete || row.deletedAt === null || row.deletedAt === undefined
  if (!context.params.provider) return live
  if (actsAsApiKey(context))
    return keyAllows(context.params.apiKey, resource.name, 'get') ? live : () => false
  const decision = decideAccess(resource, 'get', identityOf(context))
  if (!decision.allowed) return () => false
  const scope = decision.scope
  return (row) => live(row) && (scope === null || scope.some((where) => matchesWhere(row, where)))
}

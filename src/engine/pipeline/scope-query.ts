import { NotAuthenticated, NotFound } from '@feathersjs/errors'
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { ResourceDeclaration } from '../declarations/declaration'
import type { RowScope } from '../runtime/policy'
import { isMutation } from '../vocabulary'

const lowercaseFields = (resource: ResourceDeclaration) =>
  Object.keys(resource.fields).filter((name) => resource.fields[name].lowercase)

const lowercase = (value: unknown): unknown => {
  if (typeof value === 'string') return value.toLowerCase()
  if (Array.isArray(value)) return value.map(lowercase)
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, lowercase(inner)]))
  }
  return value
}

/**
 * Narrows the query to the rows the caller may touch (owner, row predicates), hides soft-deleted rows and
 * turns a malformed id into a 404. Owners are scoped by the query itself, never by filtering results.
 */
export const scopeQuery = (resource: ResourceDeclaration) => {
  const caseless = lowercaseFields(resource)
  return async (context: HookContext, next: NextFunction) => {
    // `GET /users/me`: on a resource whose owner is the record itself, `me` is the caller.
    if (context.id === 'me' && resource.fields.id.owner && context.params.provider) {
      if (!context.params.user) throw new NotAuthenticated('Authentication is required')
      context.id = context.params.user.id
    }
    if (context.id !== undefined && context.id !== null) {
      if (!/^[1-9]\d{0,15}$/.test(String(context.id)))
        throw new NotFound(`No record found for id '${context.id}'`)
      context.id = Number(context.id)
    }
    const query: Record<string, any> = { ...(context.params.query ?? {}) }
    for (const name of caseless) if (query[name] !== undefined) query[name] = lowercase(query[name])
    const scope = context.params.rowScope as RowScope | undefined
    const conditions: Record<string, unknown>[] = []
    if (scope) conditions.push(scope.length === 1 ? scope[0] : { $or: scope })
    if (resource.softDelete) conditions.push({ deletedAt: null })
    if (conditions.length) query.$and = [...(query.$and ?? []), ...conditions]
    // A mutation's event carries the whole (masked) record whatever one caller `$select`s; the selection
    // is applied to that caller's response only (hooks/mask-result.ts).
    if (context.params.provider && isMutation(context.method) && query.$select) {
      context.params.select = query.$select
      delete query.$select
    }
    // Pages must be stable: every sort ends with the primary key, so rows that tie (a `createdAt` in one
    // millisecond) keep one order across pages; without a sort, pages are in id order.
    const key: string = (context.service as { id?: string }).id ?? 'id'
    if (context.method === 'find') query.$sort = { ...query.$sort, [key]: query.$sort?.[key] ?? 1 }
    context.params.query = query
    await next()
  }
}

import { BadRequest, Forbidden, MethodNotAllowed, NotAuthenticated } from '@feathersjs/errors'
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { MethodName, ResourceDeclaration } from '../declarations/declaration'
import {
  decideAccess,
  defaultWritableFields,
  ownerField,
  writeFitsScope,
  type Identity
} from '../runtime/policy'
import { keyAllows } from '../../auth/api-keys'
import { keysMayCall } from '../runtime/api-key-use'

const writtenFields = (data: unknown): string[] => {
  const records = Array.isArray(data) ? data : [data]
  return [...new Set(records.flatMap((record) => Object.keys(record ?? {})))].filter(
    (name) => name !== 'version'
  )
}

const readOnly = (field: string) =>
  new BadRequest(`Field '${field}' is read-only for you`, { errors: [{ field, message: 'is read-only' }] })

/** An API key may do exactly what its scopes name, on every row, writing the default writable fields. */
const authorizeApiKey = async (
  resource: ResourceDeclaration,
  method: MethodName,
  context: HookContext,
  fields: string[],
  next: NextFunction
) => {
  // The declaration wins over a key's scopes (a key made before `apiKeys:` closed the resource).
  if (!keysMayCall(resource, method)) {
    throw new Forbidden(
      `API keys may not ${method} ${resource.path} (its declaration: apiKeys: ${resource.apiKeys})`
    )
  }
  if (!keyAllows(context.params.apiKey, resource.name, method)) {
    throw new Forbidden(`This API key has no scope for ${method} on ${resource.path}`)
  }
  const writable = defaultWritableFields(resource)
  const field = fields.find((name) => Object.hasOwn(resource.fields, name) && !writable.includes(name))
  if (field) throw readOnly(field)
  context.params.rowScope = null
  await next()
}

export const identityOf = (context: HookContext): Identity | undefined => {
  const user = context.params.user
  return user ? { id: user.id, roles: Array.isArray(user.roles) ? user.roles : [] } : undefined
}

/** The declared policy: method x principal x fields. Leaves the row scope in `params.rowScope` for the query. */
export const authorize =
  (resource: ResourceDeclaration) => async (context: HookContext, next: NextFunction) => {
    if (!context.params.provider) return next()
    const method = context.method as MethodName
    if (!Object.keys(resource.access[method]).length) {
      throw new MethodNotAllowed(`Method ${method} is not allowed on ${resource.path}`)
    }
    const fields = ['create', 'update', 'patch'].includes(method) ? writtenFields(context.data) : []
    // Only a call the key itself authenticated acts as the key (never a stale one left on a connection).
    if (context.params.apiKey && context.params.authentication?.strategy === 'apiKey') {
      return authorizeApiKey(resource, method, context, fields, next)
    }
    const decision = decideAccess(resource, method, identityOf(context), fields)
    if (!decision.allowed) {
      if (decision.reason === 'not-authenticated') throw new NotAuthenticated('Authentication is required')
      if (decision.reason === 'forbidden') throw new Forbidden(`You may not ${method} ${resource.path}`)
      throw readOnly(decision.field!)
    }
    context.params.rowScope = decision.scope
    const owner = ownerField(resource)
    const identity = identityOf(context)
    const ownerIsCaller = owner && resource.fields[owner].type !== 'id' && !resource.fields[owner].derived
    if (method === 'create' && identity && ownerIsCaller) {
      // New records belong to whoever creates them, unless a grant lets the caller name the owner (a derived
      // owner is copied from the referenced record instead: src/engine/pipeline/derive-fields.ts).
      const assign = (record: any) =>
        record[owner] === undefined ? { ...record, [owner]: identity.id } : record
      context.data = Array.isArray(context.data) ? context.data.map(assign) : assign(context.data)
    }
    const records = Array.isArray(context.data) ? context.data : [context.data]
    if (['create', 'update', 'patch'].includes(method)) {
      const misfit = records.find(
        (record: any) => !writeFitsScope(resource, method as any, record, decision.scope)
      )
      if (misfit)
        throw new Forbidden(
          `You may not ${method} this ${resource.path} record: its values are outside what you may write`
        )
    }
    await next()
  }

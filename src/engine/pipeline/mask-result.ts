import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { ResourceDeclaration } from '../declarations/declaration'

/** Removes the resource's hidden fields from one record (a copy). */
export const recordMask = (resource: ResourceDeclaration) => {
  const hidden = Object.keys(resource.fields).filter((name) => resource.fields[name].hidden)
  return (record: any) => {
    if (!hidden.length || !record || typeof record !== 'object') return record
    const copy = { ...record }
    for (const name of hidden) delete copy[name]
    return copy
  }
}

/**
 * Hidden fields (password hashes…) never leave the server: not in external results and not in realtime
 * events (`context.dispatch`). Internal callers such as the local login strategy still see them.
 */
export const maskResult = (resource: ResourceDeclaration) => {
  const mask = recordMask(resource)
  const maskAll = (result: any) => {
    if (Array.isArray(result)) return result.map(mask)
    if (result && Array.isArray(result.data)) return { ...result, data: result.data.map(mask) }
    return mask(result)
  }
  const project = (record: any, select: string[]) =>
    Object.fromEntries(Object.entries(record).filter(([name]) => name === 'id' || select.includes(name)))
  return async (context: HookContext, next: NextFunction) => {
    await next()
    context.dispatch = maskAll(context.result)
    if (!context.params.provider) return
    const select: string[] | undefined = context.params.select
    context.result = select
      ? Array.isArray(context.dispatch)
        ? context.dispatch.map((record: any) => project(record, select))
        : project(context.dispatch, select)
      : context.dispatch
  }
}

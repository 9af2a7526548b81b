import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { ResourceDeclaration } from '../engine/declaration'

/** Input-only fields have been read by the behaviours before this; they never reach the database. */
export const stripVirtual = (resource: ResourceDeclaration) => {
  const virtual = Object.keys(resource.fields).filter((name) => resource.fields[name].virtual)
  const strip = (record: any) => {
    const copy = { ...record }
    for (const name of virtual) delete copy[name]
    return copy
  }
  return async (context: HookContext, next: NextFunction) => {
    if (virtual.length && context.data && typeof context.data === 'object') {
      context.data = Array.isArray(context.data) ? context.data.map(strip) : strip(context.data)
    }
    await next()
  }
}

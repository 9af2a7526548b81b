import '@feathersjs/authentication'
import type { LocalStrategy } from '@feathersjs/authentication-local'
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { ResourceDeclaration } from '../declarations/declaration'

/**
 * The last step before the database, after the behaviours have seen the data as the client sent it:
 * input-only (virtual) fields are dropped, passwords hashed, and JSON fields serialized (pg would send a
 * JS array as a PostgreSQL array, not as JSON).
 */
export const toStorage = (resource: ResourceDeclaration) => {
  const named = (predicate: (type: string, virtual: boolean) => boolean) =>
    Object.keys(resource.fields).filter((name) =>
      predicate(resource.fields[name].type, Boolean(resource.fields[name].virtual))
    )
  const virtual = named((_type, isVirtual) => isVirtual)
  const passwords = named((type, isVirtual) => type === 'password' && !isVirtual)
  const json = named((type, isVirtual) => type === 'json' && !isVirtual)

  const encode = async (context: HookContext, record: Record<string, any>) => {
    const stored = { ...record }
    for (const name of virtual) delete stored[name]
    for (const name of json)
      if (stored[name] !== undefined && stored[name] !== null) stored[name] = JSON.stringify(stored[name])
    for (const name of passwords) {
      if (typeof stored[name] === 'string') {
        const local = context.app.defaultAuthentication!().getStrategy('local') as LocalStrategy
        stored[name] = await local.hashPassword(stored[name], {})
      }
    }
    return stored
  }

  return async (context: HookContext, next: NextFunction) => {
    if (
      context.data &&
      typeof context.data === 'object' &&
      ['create', 'update', 'patch'].includes(context.method)
    ) {
      context.data = Array.isArray(context.data)
        ? await Promise.all(context.data.map((record: any) => encode(context, record)))
        : await encode(context, context.data)
    }
    await next()
    // The state machine's effects follow a write this call made (not one a behaviour handed to a command).
    context.written = true
  }
}

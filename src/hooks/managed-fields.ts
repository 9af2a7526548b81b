import '@feathersjs/authentication'
import type { LocalStrategy } from '@feathersjs/authentication-local'
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { ResourceDeclaration } from '../engine/declaration'

const fieldsOfType = (resource: ResourceDeclaration, ...types: string[]) =>
  Object.keys(resource.fields).filter(
    (name) => types.includes(resource.fields[name].type) && !resource.fields[name].virtual
  )

/**
 * What the server sets or normalizes before a write: timestamps, lowercase fields, password hashes and
 * JSON columns (serialized, because pg would send a JS array as a PostgreSQL array, not as JSON).
 */
export const managedFields = (resource: ResourceDeclaration) => {
  const created = fieldsOfType(resource, 'createdAt')
  const updated = fieldsOfType(resource, 'updatedAt')
  const passwords = fieldsOfType(resource, 'password')
  const json = fieldsOfType(resource, 'json')
  const lowercase = Object.keys(resource.fields).filter((name) => resource.fields[name].lowercase)

  const prepare = async (context: HookContext, record: Record<string, any>) => {
    const now = new Date().toISOString()
    if (context.method === 'create') for (const name of created) record[name] = now
    for (const name of updated) record[name] = now
    for (const name of lowercase)
      if (typeof record[name] === 'string') record[name] = record[name].toLowerCase()
    for (const name of json)
      if (record[name] !== undefined && record[name] !== null) record[name] = JSON.stringify(record[name])
    for (const name of passwords) {
      if (typeof record[name] === 'string') {
        const local = context.app.defaultAuthentication!().getStrategy('local')
        record[name] = await (local as LocalStrategy).hashPassword(record[name], {})
      }
    }
    return record
  }

  return async (context: HookContext, next: NextFunction) => {
    if (['create', 'update', 'patch'].includes(context.method)) {
      context.data = Array.isArray(context.data)
        ? await Promise.all(context.data.map((record: any) => prepare(context, { ...record })))
        : await prepare(context, { ...context.data })
    }
    await next()
  }
}

import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { ResourceDeclaration } from '../declarations/declaration'

const fieldsOfType = (resource: ResourceDeclaration, type: string) =>
  Object.keys(resource.fields).filter((name) => resource.fields[name].type === type)

/** What the server sets or normalizes on every write: timestamps and lowercase fields. */
export const managedFields = (resource: ResourceDeclaration) => {
  const created = fieldsOfType(resource, 'createdAt')
  const updated = fieldsOfType(resource, 'updatedAt')
  const lowercase = Object.keys(resource.fields).filter((name) => resource.fields[name].lowercase)

  const prepare = (context: HookContext, source: Record<string, any>) => {
    const record = { ...source }
    const now = new Date().toISOString()
    if (context.method === 'create') for (const name of created) record[name] = now
    for (const name of updated) record[name] = now
    for (const name of lowercase)
      if (typeof record[name] === 'string') record[name] = record[name].toLowerCase()
    return record
  }

  return async (context: HookContext, next: NextFunction) => {
    if (['create', 'update', 'patch'].includes(context.method)) {
      context.data = Array.isArray(context.data)
        ? context.data.map((record: any) => prepare(context, record))
        : prepare(context, context.data)
    }
    await next()
  }
}

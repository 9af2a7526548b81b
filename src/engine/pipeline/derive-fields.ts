import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { ResourceDeclaration } from '../declarations/declaration'
import { derivation } from '../declarations/relations'
import { missingReference } from './map-errors'

/**
 * `derived: orderId.userId`: on every write that sets the ref (every create), the field is copied from the
 * referenced record, read in the write's transaction. Clients cannot write it (it is in no grant and not
 * writable by default); internal callers may leave it out, and whatever they pass is replaced.
 */
export const deriveFields = (resource: ResourceDeclaration) => {
  const derived = Object.entries(resource.fields)
    .filter(([, field]) => field.derived)
    .map(([name, field]) => ({
      name,
      ...derivation(field.derived!),
      to: resource.fields[derivation(field.derived!).ref].to!
    }))
  const table = (context: HookContext, name: string) =>
    (context.app.get('resources') as ResourceDeclaration[]).find((other) => other.name === name)!.table

  const derive = async (context: HookContext, record: Record<string, any>) => {
    const copy = { ...record }
    for (const { name, ref, field, to } of derived) {
      if (context.method !== 'create' && record[ref] === undefined) continue
      if (record[ref] === null || record[ref] === undefined) {
        copy[name] = null
        continue
      }
      const db = context.params.transaction.trx
      const source = await db(table(context, to)).where({ id: record[ref] }).first(field)
      if (!source) throw missingReference(ref)
      copy[name] = source[field]
    }
    return copy
  }

  return async (context: HookContext, next: NextFunction) => {
    if (derived.length && ['create', 'update', 'patch'].includes(context.method)) {
      context.data = Array.isArray(context.data)
        ? await Promise.all(context.data.map((record: any) => derive(context, record)))
        : await derive(context, context.data)
    }
    await next()
  }
}

import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { ResourceDeclaration } from '../declarations/declaration'
import { missingReference } from './map-errors'
import { actsAsApiKey, readableBy } from './readable'

const resourceNamed = (context: HookContext, name: string): ResourceDeclaration =>
  (context.app.get('resources') as ResourceDeclaration[]).find((resource) => resource.name === name)!

/**
 * A client may only point a `ref` at a record it may `get`: a reference to a record it may not read is
 * answered exactly like one to a record that does not exist, so hidden ids stay hidden. Internal calls and
 * API keys (which act on every row of the resources their scopes name) are not checked; the foreign key
 * still refuses ids that do not exist. Runs inside the transaction after the behaviours (src/engine/runtime/
 * register.ts), so a behaviour that answers a reference itself (payments: a 404 for a missing or hidden order)
 * keeps its answer.
 */
export const checkReferences = (resource: ResourceDeclaration) => {
  const refs = Object.entries(resource.fields)
    .filter(([, field]) => field.type === 'ref' && field.to && !field.derived)
    .map(([name, field]) => ({ name, to: field.to!, owner: Boolean(field.owner) }))
  return async (context: HookContext, next: NextFunction) => {
    const writes = ['create', 'update', 'patch'].includes(context.method)
    if (!writes || !refs.length || !context.params.provider || actsAsApiKey(context)) return next()
    const records: Record<string, unknown>[] = Array.isArray(context.data) ? context.data : [context.data]
    const db = context.params.transaction?.trx ?? context.app.get('knex')
    const self = context.params.user?.id
    for (const { name, to, owner } of refs) {
      // The caller as the owner of what they write (set by authorize when left out) is no hidden record.
      const ids = [
        ...new Set(
          records
            .map((record) => record[name])
            .filter((id) => id !== undefined && id !== null && !(owner && id === self))
        )
      ]
      if (!ids.length) continue
      const target = resourceNamed(context, to)
      const rows: Record<string, unknown>[] = await db(target.table).whereIn('id', ids)
      const readable = readableBy(context, target)
      const seen = new Set(rows.filter(readable).map((row) => row.id))
      if (ids.some((id) => !seen.has(id))) throw missingReference(name)
    }
    await next()
  }
}

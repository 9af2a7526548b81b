import type { Application, HookContext, Params } from '@feathersjs/feathers'
import DataLoader from 'dataloader'
import type { ResourceDeclaration } from '../declarations/declaration'
import type { Relation } from '../declarations/relations'
import { recordMask } from '../pipeline/mask-result'
import { readableBy } from '../pipeline/readable'

type Row = Record<string, any>

/** What every resolver of one GraphQL operation gets: the app, the caller's params, and its loaders. */
export interface GraphqlContext {
  app: Application
  /** The caller's params (provider, authenticated user or API key, headers, ip, request id), copied per call. */
  params: Params
  loaders: Map<string, DataLoader<unknown, unknown>>
}

export const graphqlContext = (app: Application, params: Params): GraphqlContext => ({
  app,
  params,
  loaders: new Map()
})

/**
 * One loader per relation per operation: all the keys a level of the result asks for become one query
 * (`WHERE fk IN (…)`), and each related row is kept only if the reader may `get` it on its own resource
 * (its grants, owner scope, `where`, soft delete; an API key's scopes), with its hidden fields removed —
 * the rules REST's `$include` applies (src/engine/pipeline/include-relations.ts).
 */
export const relationLoader = (
  context: GraphqlContext,
  relation: Relation,
  related: ResourceDeclaration,
  owner: ResourceDeclaration
) => {
  const key = `${owner.name}.${relation.name}`
  let loader = context.loaders.get(key)
  if (!loader) {
    const column = relation.kind === 'belongsTo' ? 'id' : relation.field
    const readable = readableBy({ app: context.app, params: context.params } as HookContext, related)
    const mask = recordMask(related)
    loader = new DataLoader<unknown, unknown>(async (keys) => {
      const rows: Row[] = await context.app.get('knex')(related.table).whereIn(column, keys).orderBy('id')
      const visible = rows.filter(readable).map(mask)
      return keys.map((value) => {
        const matching = visible.filter((row) => row[column] === value)
        return relation.kind === 'belongsTo' ? (matching[0] ?? null) : matching
      })
    })
    context.loaders.set(key, loader)
  }
  return loader
}

/** A write may change what a relation holds: later reads in the same operation load afresh. */
export const forgetLoaded = (context: GraphqlContext) => context.loaders.clear()

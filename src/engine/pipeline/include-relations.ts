import { BadRequest } from '@feathersjs/errors'
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { ResourceDeclaration } from '../declarations/declaration'
import { isRead } from '../vocabulary'
import { attachRelation } from '../runtime/load-relations'
import { recordMask } from './mask-result'
import { readableBy } from './readable'

const invalidInclude = (message: string) =>
  new BadRequest(`Invalid query: $include ${message}`, { errors: [{ field: '$include', message }] })

/** `$include=items`, `$include=items,category`, `$include[]=items&$include[]=category`, or `[]` for none. */
const requested = (resource: ResourceDeclaration, value: unknown): string[] => {
  const names = typeof value === 'string' ? value.split(',').map((name) => name.trim()) : value
  if (!Array.isArray(names) || names.some((name) => typeof name !== 'string'))
    throw invalidInclude('must be a relation name or a list of them')
  const unknown = names.find((name: string) => name !== '' && !Object.hasOwn(resource.relations ?? {}, name))
  if (unknown !== undefined) {
    const known = Object.keys(resource.relations ?? {})
    throw invalidInclude(
      `names no relation of ${resource.path}: '${unknown}'${known.length ? ` (known: ${known.join(', ')})` : ''}`
    )
  }
  return [...new Set(names.filter((name: string) => name !== ''))]
}

const recordsOf = (result: any): Record<string, any>[] =>
  Array.isArray(result) ? result : Array.isArray(result?.data) ? result.data : result ? [result] : []

/** Fills the relations `names` of `records` as the caller of `context` may read them, in its transaction if any. */
const attachIncluded = async (
  context: HookContext,
  resource: ResourceDeclaration,
  records: Record<string, any>[],
  names: string[]
) => {
  if (!names.length || !records.length) return
  const all: ResourceDeclaration[] = context.app.get('resources')
  const db = context.params.transaction?.trx ?? context.app.get('knex')
  for (const name of names) {
    const relation = resource.relations[name]
    const related = all.find((other) => other.name === relation.resource)!
    await attachRelation(db, records, relation, related, readableBy(context, related), recordMask(related))
  }
}

/**
 * Declared relations in find and get results: those the caller names in `$include` (a 400 for any other name),
 * else the resource's `include: { default }`. Each related record is one the caller may `get` on its own
 * resource (absent from a list, `null` for a single one otherwise), with its hidden fields removed.
 * Runs before query validation: `$include` never reaches the validator or the adapter.
 */
export const includeRelations =
  (resource: ResourceDeclaration) => async (context: HookContext, next: NextFunction) => {
    const query = context.params.query ?? {}
    const asked = Object.hasOwn(query, '$include')
    if (asked) {
      const { $include, ...rest } = query
      context.params.query = rest
      if (!isRead(context.method)) throw invalidInclude('applies to find and get only')
      context.params.include = requested(resource, $include)
    }
    if (!isRead(context.method)) return next()
    const names: string[] = asked ? context.params.include : (resource.includeByDefault ?? [])
    // A belongsTo needs its ref column even when `$select` leaves it out; it is removed again below.
    const sent = context.params.query?.$select
    const select: string[] | undefined = sent === undefined ? undefined : [sent].flat()
    const added = names
      .map((name) => resource.relations[name])
      .filter((relation) => relation.kind === 'belongsTo' && select && !select.includes(relation.field))
      .map((relation) => relation.field)
    if (added.length) context.params.query = { ...context.params.query, $select: [...select!, ...added] }
    await next()
    const records = recordsOf(context.result)
    await attachIncluded(context, resource, records, names)
    for (const record of records) for (const field of added) delete record[field]
  }

/**
 * `include: { default: [...], writes: true }`: a create, update or patch answers (and emits) the record with its
 * default relations, as a read shows it, read in the write's transaction after the behaviours and the
 * transition's effects, whoever wrote it (a client, a behaviour, a command). Declared only where everyone who
 * may get the record may read those relations (orders and their lines): the event reaches all of them.
 */
export const includeDefaultsOnWrite =
  (resource: ResourceDeclaration) => async (context: HookContext, next: NextFunction) => {
    await next()
    if (!['create', 'update', 'patch'].includes(context.method) || !context.result) return
    const attach = (result: unknown) =>
      attachIncluded(context, resource, recordsOf(result), resource.includeByDefault)
    await attach(context.result)
    // A write inside a larger transaction (a command's) is announced at its commit, with its relations as they
    // are then — in what it answered and in what its event dispatches (masked by then: `context.dispatch`).
    context.refreshEvent = async () => {
      await attach(context.result)
      if (context.dispatch && context.dispatch !== context.result) await attach(context.dispatch)
    }
  }

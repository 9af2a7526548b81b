import { createHash } from 'node:crypto'
import { BadRequest, Conflict, FeathersError, Unprocessable, convert } from '@feathersjs/errors'
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { Knex } from 'knex'
import { tableName, type MethodName, type ResourceDeclaration } from '../declarations/declaration'
import { recordMask } from './mask-result'
import { isMutation } from '../vocabulary'
import { afterCommit, peekAnswerError } from '../runtime/after-commit'

/** Where the keys live: src/contexts/system/idempotency-keys.yaml. */
export const IDEMPOTENCY_TABLE = tableName('idempotency-keys')
const HEADER = 'idempotency-key'
const MAX_KEY_LENGTH = 255
const DEFAULT_TTL_HOURS = 24
/** The transports whose `params.headers` are the request's own. */
const HEADER_TRANSPORTS = ['rest', 'graphql']

const invalidKey = (message: string) =>
  new BadRequest(`Invalid Idempotency-Key header: ${message}`, {
    errors: [{ field: 'Idempotency-Key', message }]
  })

/** The header as sent, or a 400: it becomes part of a unique column and is echoed in logs. */
export const parseIdempotencyKey = (value: unknown): string => {
  if (typeof value !== 'string') throw invalidKey('must be sent once, as a string')
  if (!value.length) throw invalidKey('must not be empty')
  if (value.length > MAX_KEY_LENGTH) throw invalidKey(`must be at most ${MAX_KEY_LENGTH} characters`)
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw invalidKey('must not contain control characters')
  return value
}

/** Keys are per caller: two callers choosing the same key never see each other's responses. */
const callerScope = (params: HookContext['params']) => {
  if (params.apiKey) return `apikey:${params.apiKey.id}`
  if (params.user) return `user:${params.user.id}`
  return 'anonymous'
}

/** Object keys sorted at every depth, so `{a, b}` and `{b, a}` are the same request. */
const canonical = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(canonical)
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const record = value as Record<string, unknown>
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((name) => [name, canonical(record[name])])
    )
  }
  return value
}

/** Compared as strings, so `7` and `'7'` name the same record whoever converted the id. */
const idOf = (context: HookContext) =>
  context.id === undefined || context.id === null ? null : String(context.id)

/**
 * What makes two requests "the same": resource, method, id and body. The timestamps the managed-fields hook
 * has already stamped on the body differ on every call, so they are left out.
 */
const requestHash = (context: HookContext, stamped: string[]) => {
  const data =
    context.data && typeof context.data === 'object' && !Array.isArray(context.data)
      ? Object.fromEntries(Object.entries(context.data).filter(([name]) => !stamped.includes(name)))
      : (context.data ?? null)
  const text = JSON.stringify(
    canonical({ resource: context.path, method: context.method, id: idOf(context), data })
  )
  return createHash('sha256').update(text).digest('hex')
}

/**
 * Takes the key for this request: inserts its row, or takes over an expired one. Returns the row id, or
 * undefined when a live row exists. On PostgreSQL an insert that meets an uncommitted row with the same
 * key waits for that transaction: if it commits, the conflict is seen here (and we replay); if it rolls
 * back, this insert goes through. `ON CONFLICT` does not raise, so the surrounding transaction stays usable
 * without a savepoint.
 */
const claim = async (trx: Knex.Transaction, row: Record<string, unknown>, ttlHours: number) => {
  const inserted = await trx(IDEMPOTENCY_TABLE)
    .insert({
      ...row,
      response: null,
      expiresAt: trx.raw(`now() + ?::float8 * interval '1 hour'`, [ttlHours]),
      createdAt: trx.raw('now()')
    })
    .onConflict('scopedKey')
    .merge()
    .where(`${IDEMPOTENCY_TABLE}.expiresAt`, '<=', trx.raw('now()'))
    .returning('id')
  return inserted[0]?.id as number | undefined
}

/** Where a stored answer keeps a refusal instead of a result (`$` starts no field name). */
const REFUSAL = '$refusal'

/**
 * A refusal decided after the commit (a declined card: 402) is replayed as it was answered. An outage (5xx) is
 * not: a retry after its `Retry-After` gets the record as it stands.
 */
const refusalAfterCommit = (trx: Knex.Transaction) => {
  const error = peekAnswerError(trx)
  if (error instanceof FeathersError && error.code < 500) return JSON.stringify({ [REFUSAL]: error.toJSON() })
}

/**
 * `Idempotency-Key` on a resource declared `idempotent: true` (docs/idempotency.md). Runs first among the
 * method's own hooks, i.e. inside the transaction opened by the shared pipeline: the key row commits with
 * the effect or not at all, so a failed request leaves nothing behind and may be retried with its key.
 * Only REST and GraphQL calls (one mutation per request: src/engine/graphql/one-mutation.ts): over Socket.io
 * `params.headers` are the handshake's, the same for every call.
 */
export const idempotency = (resource: ResourceDeclaration) => {
  const mask = recordMask(resource)
  const stamped = Object.keys(resource.fields).filter((name) =>
    ['createdAt', 'updatedAt'].includes(resource.fields[name].type)
  )
  return async (context: HookContext, next: NextFunction) => {
    const header = context.params.headers?.[HEADER]
    if (!HEADER_TRANSPORTS.includes(context.params.provider) || header === undefined) return next()
    const key = parseIdempotencyKey(header)
    const trx: Knex.Transaction | undefined = context.params.transaction?.trx
    if (!trx) throw new Error('the idempotency hook must run inside the method transaction')
    const scope = callerScope(context.params)
    const scopedKey = `${scope}|${key}`
    const hash = requestHash(context, stamped)
    const ttlHours = context.app.get('idempotency')?.ttlHours ?? DEFAULT_TTL_HOURS
    const id = await claim(
      trx,
      {
        scopedKey,
        key,
        scope,
        resource: resource.name,
        method: context.method,
        resourceId: idOf(context),
        requestHash: hash
      },
      ttlHours
    )
    if (id === undefined) {
      const stored = await trx(IDEMPOTENCY_TABLE).where({ scopedKey }).first()
      // Only a purge between the conflict and this read gets here.
      if (!stored) throw new Conflict('The Idempotency-Key changed while in use; retry the request')
      if (stored.requestHash !== hash) {
        throw new Unprocessable(
          `The Idempotency-Key was already used for a different request (${stored.method} ${stored.resource}); ` +
            'send a new key with a new request',
          { errors: [{ field: 'Idempotency-Key', message: 'was used for a different request' }] }
        )
      }
      // A record the caller may no longer see is not replayed to them (their rights may have changed).
      if (context.id !== undefined && context.id !== null && context.method !== 'remove') {
        await context.self._get(context.id, {
          query: context.params.query,
          transaction: context.params.transaction
        })
      }
      if (stored.response?.[REFUSAL]) throw convert(stored.response[REFUSAL])
      context.result = stored.response
      // The first request already published its event; a replay changes nothing, so it announces nothing.
      context.event = null
      return
    }
    await next()
    // Stored as clients saw it: hidden fields never reach the table, so they can never be replayed.
    const answer = () => {
      const result = Array.isArray(context.result) ? context.result.map(mask) : mask(context.result)
      return JSON.stringify(result ?? null)
    }
    const stored = answer()
    await trx(IDEMPOTENCY_TABLE).where({ id }).update({ response: stored })
    // Work after the commit may finish the answer (a payment provider's): a replay then gets that answer too.
    afterCommit(context.app, trx, 'idempotency: final answer', async () => {
      const final = refusalAfterCommit(trx) ?? answer()
      if (final !== stored)
        await context.app.get('knex')(IDEMPOTENCY_TABLE).where({ id }).update({ response: final })
    })
  }
}

/** The hooks `register.ts` puts first in a method's own list: none unless declared `idempotent`. */
export const idempotencyHooks = (resource: ResourceDeclaration, method: MethodName) =>
  resource.idempotent && isMutation(method) ? [idempotency(resource)] : []

/** Deletes expired keys (they are already treated as new); meant for a periodic job. Returns the count. */
export const purgeExpiredIdempotencyKeys = async (knex: Knex) => {
  // `returning` because the PGlite client answers a bare delete with its raw result, not a count.
  const deleted = await knex(IDEMPOTENCY_TABLE).where('expiresAt', '<=', knex.raw('now()')).delete('id')
  return deleted.length
}

import { NotAuthenticated } from '@feathersjs/errors'
import type { Knex } from 'knex'
import type { Application } from '../declarations'
import { hashSecret, newSecret } from './secrets'
import { METHODS, isRead } from '../engine/vocabulary'
export { keysMayCall } from '../engine/runtime/api-key-use'

const KEY_PREFIX = 'iak_'

/** A new key: shown to its creator once; only the hash and a short public prefix are stored. */
export const newApiKey = () => {
  const key = `${KEY_PREFIX}${newSecret()}`
  return { key, prefix: key.slice(0, 12), keyHash: hashSecret(key) }
}

export interface ApiKeyScope {
  resource: string
  methods?: string[]
  readOnly?: boolean
}

export interface ActiveApiKey {
  id: number
  name: string
  scopes: ApiKeyScope[]
}

const LAST_USED_RESOLUTION_MS = 60_000

export const findActiveApiKey = async (app: Application, key: unknown): Promise<ActiveApiKey> => {
  if (typeof key !== 'string' || !key.startsWith(KEY_PREFIX) || key.length > 100) {
    throw new NotAuthenticated('Invalid API key')
  }
  const knex: Knex = app.get('knex')
  const row = await knex('api_keys')
    .where({ keyHash: hashSecret(key), revokedAt: null })
    .first()
  if (!row || (row.expiresAt && Date.parse(row.expiresAt) <= Date.now())) {
    throw new NotAuthenticated('Invalid, revoked or expired API key')
  }
  if (!row.lastUsedAt || Date.now() - Date.parse(row.lastUsedAt) > LAST_USED_RESOLUTION_MS) {
    await knex('api_keys').where({ id: row.id }).update({ lastUsedAt: new Date().toISOString() })
  }
  return { id: row.id, name: row.name, scopes: row.scopes }
}

/** What a key may do: exactly its scopes (resource x methods; all methods when left out; read-only: find, get). */
export const keyAllows = (apiKey: ActiveApiKey, resource: string, method: string) =>
  apiKey.scopes.some(
    (scope) =>
      scope.resource === resource &&
      (scope.methods ?? (METHODS as readonly string[])).includes(method) &&
      (!scope.readOnly || isRead(method))
  )

import { NotAuthenticated } from '@feathersjs/errors'
import type { Knex } from 'knex'
import type { Application } from '../declarations'
import { recordMask } from '../engine/pipeline/mask-result'
import { afterCommit } from './after-commit'
import { audit } from './audit'
import { requestInfo } from './request-info'
import { createHmac } from 'node:crypto'
import { newSecret, sameHash } from './secrets'

export interface SessionRow {
  id: number
  userId: number
  expiresAt: string
  revokedAt: string | null
  refreshGeneration: number
  refreshSalt: string
  lastSeenAt: string
}

/** Service-call params as they travel through hooks (transaction, user, authentication…). */
type CallParams = Record<string, any>

/**
 * A refresh token is `<session id>.<generation>.<secret>`, the secret an HMAC of the three with the server
 * secret: nothing that mints tokens is stored, and any earlier generation can be recognised as genuine,
 * so presenting one again (a copied token) revokes the session, while a forged one revokes nothing.
 */
const refreshSecret = (app: Application, session: { id: number; refreshSalt: string }, generation: number) =>
  createHmac('sha256', app.get('authentication')!.secret)
    .update(`${session.id}.${generation}.${session.refreshSalt}`)
    .digest('base64url')

const refreshToken = (app: Application, session: SessionRow, generation: number) =>
  `${session.id}.${generation}.${refreshSecret(app, session, generation)}`

const sessionLifetimeMs = (app: Application) => app.get('sessions').ttlDays * 24 * 3600 * 1000

/** A login: a session row and its first refresh token (shown to the client, never stored). */
export const createSession = async (app: Application, userId: number, params: CallParams) => {
  const now = Date.now()
  // An internal call's answer keeps the hidden fields (refreshSalt): the row, not the client's Session.
  const session = await app.service('sessions').create({
    userId,
    ...requestInfo(params),
    lastSeenAt: new Date(now).toISOString(),
    expiresAt: new Date(now + sessionLifetimeMs(app)).toISOString(),
    refreshGeneration: 1,
    refreshSalt: newSecret()
  })
  return { session, refreshToken: refreshToken(app, session as unknown as SessionRow, 1) }
}

const invalid = () => new NotAuthenticated('Invalid or expired refresh token')

/**
 * Exchanges a refresh token for the next one (single use). A genuine earlier generation presented again
 * means the token was copied: the whole session is revoked. The conditional UPDATE makes two concurrent
 * uses of one token end with one winner and, as for any reuse, a revoked session.
 */
export const rotateRefreshToken = async (app: Application, token: unknown, params: CallParams) => {
  const match = typeof token === 'string' ? /^(\d{1,15})\.(\d{1,9})\.([\w-]{43})$/.exec(token) : null
  if (!match) throw invalid()
  const [, id, generationText, secret] = match
  const generation = Number(generationText)
  const knex: Knex = app.get('knex')
  const session: SessionRow | undefined = await knex('sessions')
    .where({ id: Number(id) })
    .first()
  if (!session || session.revokedAt || Date.parse(session.expiresAt) <= Date.now()) throw invalid()
  const genuine = generation >= 1 && generation <= session.refreshGeneration
  if (!genuine || !sameHash(refreshSecret(app, session, generation), secret)) throw invalid()
  if (generation < session.refreshGeneration) {
    await revokeSessions(app, { id: session.id }, 'refresh token reuse', params)
    throw invalid()
  }
  const rotated = await knex('sessions')
    .where({ id: session.id, refreshGeneration: generation, revokedAt: null })
    .update({
      refreshGeneration: generation + 1,
      lastSeenAt: new Date().toISOString(),
      ...requestInfo(params)
    })
  if (rotated !== 1) {
    await revokeSessions(app, { id: session.id }, 'refresh token reuse', params)
    throw invalid()
  }
  return { session, refreshToken: refreshToken(app, session, generation + 1) }
}

/**
 * Revokes matching active sessions through the sessions service, so every revocation — logout, reuse,
 * password change, admin action — emits `patched` and live sockets of those sessions are logged out.
 */
export const revokeSessions = async (
  app: Application,
  where: Record<string, unknown>,
  reason: string,
  params: CallParams = {}
) => {
  const service = app.service('sessions')
  const revoked = (await service._patch(
    null,
    { revokedAt: new Date().toISOString(), updatedAt: new Date().toISOString() },
    {
      transaction: params.transaction,
      adapter: { multi: ['patch'] },
      query: { ...where, revokedAt: null }
    } as any
  )) as any[]
  for (const session of revoked) {
    await audit(
      app,
      { action: 'session.revoke', subjectType: 'sessions', subjectId: session.id, details: { reason } },
      params
    )
  }
  const mask = recordMask(app.get('resources').find((resource) => resource.name === 'sessions')!)
  afterCommit(params, () => revoked.forEach((session) => service.emit('patched', mask(session))))
  return revoked
}

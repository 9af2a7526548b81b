import {
  AuthenticationBaseStrategy,
  JWTStrategy,
  type AuthenticationRequest
} from '@feathersjs/authentication'
import { NotAuthenticated } from '@feathersjs/errors'
import type { Params } from '@feathersjs/feathers'
import type { Knex } from 'knex'
import type { Application } from '../declarations'
import { rotateRefreshToken } from './sessions'
import { findActiveApiKey } from './api-keys'
import type { CachedIdentity } from './identity-cache'
import { INTEGER_MAX } from '../engine/declarations/field-types'

type Identity = Omit<CachedIdentity, 'cachedAt'>

const LAST_SEEN_RESOLUTION_MS = 60_000

/** A token's `sid` or `sub` as an id (1 … the integer column's maximum), or undefined. */
const idClaim = (claim: unknown) => {
  const id = typeof claim === 'string' && /^\d{1,10}$/.test(claim) ? Number(claim) : claim
  return Number.isInteger(id) && (id as number) >= 1 && (id as number) <= INTEGER_MAX
    ? (id as number)
    : undefined
}
const BEARER = /^Bearer +(\S+) *$/i

/**
 * JWT plus its session: a token whose session was revoked (logout, password change, admin) or expired
 * stops working at once. One query fetches the session and its user, replacing the plain user lookup.
 */
export class SessionJwtStrategy extends JWTStrategy {
  /**
   * `Authorization: Bearer <token>`, and nothing else: a bare token, another scheme or a malformed header is a
   * 401 naming the scheme, never silently ignored (the request would go on as anonymous) nor guessed at.
   */
  async parse(req: { headers?: Record<string, any> }) {
    const header = req.headers?.authorization
    if (header === undefined) return null
    const token = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined
    if (!token) {
      throw new NotAuthenticated("The Authorization header must be 'Bearer <access token>'", {
        scheme: 'Bearer'
      })
    }
    return { strategy: this.name!, accessToken: token }
  }

  async authenticate(authentication: AuthenticationRequest, params: Params) {
    const { accessToken } = authentication
    if (!accessToken) throw new NotAuthenticated('No access token')
    const payload = await this.authentication!.verifyAccessToken(accessToken, (params as any).jwt)
    const sessionId = idClaim(payload.sid)
    const userId = idClaim(payload.sub)
    // Signed, but naming no row the database could hold: no query could find it (and one would fail).
    if (!sessionId || !userId) throw new NotAuthenticated('The access token names no session; log in again')
    const app = this.app as Application
    const cache = app.get('identityCache')
    const now = Date.now()
    let identity: Identity | undefined = cache?.get(sessionId, userId, now)
    if (!identity) {
      const generation = cache?.begin()
      identity = await this.lookup(app.get('knex'), sessionId, userId)
      if (cache) cache.set(sessionId, identity, generation!)
    }
    if (now - identity.lastSeenAt > LAST_SEEN_RESOLUTION_MS) {
      identity.lastSeenAt = now
      await app
        .get('knex')('sessions')
        .where({ id: sessionId })
        .update({ lastSeenAt: new Date(now).toISOString() })
    }
    return { accessToken, authentication: { strategy: 'jwt', accessToken, payload }, user: identity.user }
  }

  /** One query: the session, if still active, joined with its user. */
  private async lookup(knex: Knex, sessionId: number, userId: number): Promise<Identity> {
    const row = await knex('sessions')
      .join('users', 'users.id', 'sessions.userId')
      .where({ 'sessions.id': sessionId, 'users.id': userId, 'sessions.revokedAt': null })
      .where('sessions.expiresAt', '>', new Date().toISOString())
      .first('users.*', { sessionLastSeenAt: 'sessions.lastSeenAt', sessionExpiresAt: 'sessions.expiresAt' })
    if (!row) throw new NotAuthenticated('The session has ended; log in again')
    const { password: _hash, sessionLastSeenAt, sessionExpiresAt, ...user } = row
    return {
      user,
      lastSeenAt: Date.parse(sessionLastSeenAt),
      sessionExpiresAt: Date.parse(sessionExpiresAt)
    }
  }
}

/** `{strategy: 'refresh', refreshToken}`: rotates the session's refresh token; a new access token follows. */
export class RefreshStrategy extends AuthenticationBaseStrategy {
  async authenticate(authentication: AuthenticationRequest, params: Params) {
    const app = this.app as Application
    const { session, refreshToken } = await rotateRefreshToken(app, authentication.refreshToken, params)
    const user = await app.service('users').get(session.userId)
    return { authentication: { strategy: 'refresh' }, user, session, refreshToken }
  }
}

export const API_KEY = Symbol('api-key-secret')

/** `X-API-Key: <key>` on REST, `{strategy: 'apiKey', key}` on Socket.io: service-to-service calls. */
export class ApiKeyStrategy extends AuthenticationBaseStrategy {
  async parse(req: { headers?: Record<string, any> }) {
    const key = req.headers?.['x-api-key']
    return typeof key === 'string' ? { strategy: this.name!, key } : null
  }

  async authenticate(authentication: AuthenticationRequest, _params: Params) {
    const apiKey = await findActiveApiKey(this.app as Application, authentication.key)
    // The secret rides along out of sight (a symbol is never serialized) for the socket's later calls.
    return { authentication: { strategy: this.name!, [API_KEY]: authentication.key }, apiKey }
  }

  /** A connection has one identity: logging in with a key drops a user, logging in as a user drops a key. */
  async handleConnection(event: string, connection: any, authResult?: any) {
    if (event === 'login' && authResult?.apiKey) {
      delete connection.user
      connection.authentication = { strategy: this.name, key: authResult.authentication[API_KEY] }
      connection.apiKey = authResult.apiKey
    } else if (event === 'login' || event === 'logout' || event === 'disconnect') {
      if (connection.apiKey && event !== 'login') delete connection.authentication
      delete connection.apiKey
    }
  }
}

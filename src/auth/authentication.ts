import {
  AuthenticationService,
  type AuthenticationRequest,
  type AuthenticationResult
} from '@feathersjs/authentication'
import { NotAuthenticated } from '@feathersjs/errors'
import type { NullableId, Params } from '@feathersjs/feathers'
import { createSecretKey, type KeyObject } from 'node:crypto'
import jwt from 'jsonwebtoken'
import type { Application } from '../declarations'
import { recordMask } from '../engine/pipeline/mask-result'
import { audit } from './audit'
import { requestInfo } from './request-info'
import { createSession, revokeSessions } from './sessions'
import { ApiKeyStrategy, RefreshStrategy, SessionJwtStrategy } from './strategies'
import { VerifiedTokens } from './verified-tokens'
import { assertAuthenticationRequest } from './login-request'
import { TimingSafeLocalStrategy } from './local'

declare module '../declarations' {
  interface ServiceTypes {
    authentication: AuthenticationService
  }
}

/**
 * Login creates a session: `{accessToken (short-lived, carries the session id), refreshToken, user}`.
 * Refresh rotates the refresh token; logout (`DELETE /authentication`) revokes the session. Failed logins,
 * registrations and refreshes are rate-limited per account and per address.
 */
export class SessionAuthenticationService extends AuthenticationService {
  get application() {
    return this.app as Application
  }

  // HMAC with a string secret imports the key on every call (~0.5 ms); a KeyObject made once costs ~10 µs.
  private key?: KeyObject
  private get secretKey() {
    return (this.key ??= createSecretKey(Buffer.from(this.configuration.secret)))
  }

  async createAccessToken(payload: string | object | Buffer, options?: any, secret?: string) {
    return super.createAccessToken(payload, options, secret ?? (this.secretKey as any))
  }

  // Each request of a client carries the same token for its 15 minutes: verified once (auth/verified-tokens.ts).
  private verified = new VerifiedTokens()

  async verifyAccessToken(accessToken: string, options?: any, secret?: string) {
    if (options || secret)
      return super.verifyAccessToken(accessToken, options, secret ?? (this.secretKey as any))
    const known = this.verified.get(accessToken)
    if (known) return known
    return this.verified.set(
      accessToken,
      await super.verifyAccessToken(accessToken, undefined, this.secretKey as any)
    )
  }

  private async authenticateLimited(data: AuthenticationRequest, params: Params) {
    const limiter = this.application.get('rateLimiter')
    const address = requestInfo(params).ip ?? 'internal'
    const allowed = (params as any).authStrategies || this.configuration.authStrategies
    assertAuthenticationRequest(data, allowed)
    if (data.strategy === 'refresh') await limiter.consume('refresh', address)
    if (data.strategy !== 'local') return this.authenticate(data, params, ...allowed)
    const account = data.email as string
    // Every attempt counts against the account (atomically, so a burst cannot test more passwords than
    // the limit); a success forgets them. The address counts failures only.
    await limiter.consume('loginAccount', account)
    await limiter.assertAllowed('loginAddress', address)
    try {
      const result = await this.authenticate(data, params, ...allowed)
      await limiter.reset('loginAccount', account)
      return result
    } catch (error) {
      await audit(
        this.application,
        { action: 'login.failure', details: { email: account.slice(0, 254) } },
        params
      )
      await limiter.consume('loginAddress', address)
      throw error
    }
  }

  async create(data: AuthenticationRequest, params: Params = {}): Promise<AuthenticationResult> {
    const authResult = await this.authenticateLimited(data, params)
    // A socket re-using its access token, or an API key: no new session.
    if (authResult.accessToken || authResult.apiKey) return authResult
    const users = this.application.get('resources').find((resource) => resource.name === 'users')!
    const user = recordMask(users)(authResult.user)
    const { session, refreshToken } =
      data.strategy === 'refresh' ? authResult : await createSession(this.application, user.id, params)
    if (data.strategy !== 'refresh') {
      await audit(
        this.application,
        { action: 'login.success', actorId: user.id, subjectType: 'sessions', subjectId: session.id },
        params
      )
    }
    const jwtOptions = await this.getTokenOptions({ ...authResult, user }, params)
    const accessToken = await this.createAccessToken({ sid: session.id }, jwtOptions, (params as any).secret)
    return {
      accessToken,
      refreshToken,
      authentication: { strategy: data.strategy, payload: jwt.decode(accessToken) },
      user
    }
  }

  /** Logout: the current session is revoked, so its access and refresh tokens stop working everywhere. */
  async remove(id: NullableId, params: Params = {}) {
    // Feathers reads the token of the call without checking there is one (`DELETE /authentication/x`: a 500).
    if (!params.authentication) throw new NotAuthenticated('Authentication is required to log out')
    const authResult = await super.remove(id as string | null, params as any)
    const sessionId = authResult.authentication?.payload?.sid
    if (sessionId) {
      await revokeSessions(this.application, { id: sessionId }, 'logout', {
        ...params,
        user: authResult.user
      } as any)
      await audit(
        this.application,
        { action: 'logout', actorId: authResult.user?.id, subjectId: sessionId },
        params
      )
    }
    return authResult
  }
}

export const authentication = (app: Application) => {
  // Tokens name who issued them and for whom; a blank setting would silently turn that check off.
  const { issuer, audience } = (app.get('authentication')?.jwtOptions ?? {}) as Record<string, unknown>
  for (const [name, value] of Object.entries({ issuer, audience })) {
    if (typeof value !== 'string' || !value) {
      throw new Error(`Invalid configuration: authentication.jwtOptions.${name} must be a non-empty string`)
    }
  }
  const service = new SessionAuthenticationService(app)
  service.register('jwt', new SessionJwtStrategy())
  const local = new TimingSafeLocalStrategy()
  service.register('local', local)
  service.register('refresh', new RefreshStrategy())
  service.register('apiKey', new ApiKeyStrategy())
  app.use('authentication', service)
  void local.dummyHash()
}

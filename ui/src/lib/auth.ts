import type { Socket } from 'socket.io-client'
import type { ClientApplication, User } from './client'
import { ACCESS_TOKEN_KEY } from './client'

const REFRESH_TOKEN_KEY = 'internal-api-refresh-token'
// Refresh this long before the access token expires.
const REFRESH_MARGIN_MS = 60_000
const RETRY_MS = 15_000

interface AuthResult {
  accessToken: string
  refreshToken?: string
  authentication: { payload: { exp: number; sid: number } }
  user: User
}

type Listener = (user: User | null) => void

/**
 * The signed-in user of a page. Logs in with email and password, restores the login on reload, refreshes the
 * access token before it expires (refresh tokens are single use: one refresh at a time across tabs, through a
 * Web Lock), and drops everything when the server says the session ended.
 */
export class Auth {
  user: User | null = null
  sessionId: number | null = null
  private listeners = new Set<Listener>()
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor(
    private client: ClientApplication,
    socket: Socket
  ) {
    // Only this page's session: the event names the session that ended.
    socket.on('authentication revoked', ({ sessionId }: { sessionId?: number } = {}) => {
      if (!sessionId || sessionId === this.sessionId) this.forget()
    })
  }

  subscribe(listener: Listener) {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }

  hasRole(...roles: string[]) {
    return !!this.user?.roles?.some((role) => roles.includes(role))
  }

  async login(email: string, password: string) {
    return this.accept((await this.client.authenticate({ strategy: 'local', email, password })) as AuthResult)
  }

  /** On page load: the stored access token, else the refresh token, else nobody. */
  async restore(): Promise<User | null> {
    try {
      if (localStorage.getItem(ACCESS_TOKEN_KEY))
        return this.accept((await this.client.reAuthenticate()) as AuthResult)
    } catch {
      // expired or revoked: try the refresh token
    }
    return this.refresh()
  }

  async refresh(): Promise<User | null> {
    const stale = localStorage.getItem(REFRESH_TOKEN_KEY)
    if (!stale) return this.forget()
    const run = async () => {
      const current = localStorage.getItem(REFRESH_TOKEN_KEY)
      // Another tab refreshed while this one waited for the lock: use its tokens.
      if (current && current !== stale)
        return this.accept((await this.client.reAuthenticate(true)) as AuthResult)
      if (!current) return this.forget()
      try {
        return this.accept(
          (await this.client.authenticate({ strategy: 'refresh', refreshToken: current })) as AuthResult
        )
      } catch (error: any) {
        // Only the server's "no" ends the login; an unreachable server is tried again shortly.
        if (error?.code === 401) return this.forget()
        clearTimeout(this.timer)
        this.timer = setTimeout(() => void this.refresh(), RETRY_MS)
        return this.user
      }
    }
    return navigator.locks ? navigator.locks.request(REFRESH_TOKEN_KEY, run) : run()
  }

  async logout() {
    try {
      await this.client.logout()
    } finally {
      this.forget()
    }
  }

  private accept(result: AuthResult) {
    if (result.refreshToken) localStorage.setItem(REFRESH_TOKEN_KEY, result.refreshToken)
    this.user = result.user
    this.sessionId = result.authentication.payload.sid
    clearTimeout(this.timer)
    const due = result.authentication.payload.exp * 1000 - Date.now() - REFRESH_MARGIN_MS
    this.timer = setTimeout(() => void this.refresh(), Math.max(due, 5_000))
    this.emit()
    return result.user
  }

  /** Forgets the login locally (the server already ended it, or the user logged out). */
  forget(): null {
    clearTimeout(this.timer)
    localStorage.removeItem(REFRESH_TOKEN_KEY)
    localStorage.removeItem(ACCESS_TOKEN_KEY)
    void this.client.authentication.reset()
    this.user = null
    this.sessionId = null
    this.emit()
    return null
  }

  /** Replaces the user record after the user changed it (profile). */
  setUser(user: User) {
    this.user = user
    this.emit()
  }

  private emit() {
    for (const listener of this.listeners) listener(this.user)
  }
}

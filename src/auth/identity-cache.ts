import type { Application } from '../declarations'
import { safely } from '../ops/faults'

export interface CachedIdentity {
  /** The user as the strategy returns it (no password hash), frozen: requests share it. */
  user: Readonly<Record<string, any>>
  sessionExpiresAt: number
  lastSeenAt: number
  cachedAt: number
}

const MAX_ENTRIES = 10_000

/**
 * Who an access token's session belongs to, kept for a few seconds so that an authenticated request costs no
 * query. Revocation still counts at once: every change to a session or a user — logout, revocation, a role or
 * password change, a deletion — goes through the sessions or users service, whose events drop the affected
 * entries here; with `REDIS_URL`, src/ops/sync.ts replays other instances' events on this one too. A lookup that
 * raced such a change is never stored (the generation moved on while it ran). `cacheSeconds` bounds what a lost
 * event could cost; 0 turns the cache off.
 */
export class IdentityCache {
  private entries = new Map<number, CachedIdentity>()
  private generation = 0

  constructor(private readonly ttlMs: number) {}

  /** Call before reading the database; pass the answer to `set`. */
  begin() {
    return this.generation
  }

  get(sessionId: number, userId: number, now = Date.now()): CachedIdentity | undefined {
    const entry = this.entries.get(sessionId)
    if (!entry) return undefined
    if (now - entry.cachedAt >= this.ttlMs || entry.sessionExpiresAt <= now || entry.user.id !== userId) {
      this.entries.delete(sessionId)
      return undefined
    }
    return entry
  }

  set(sessionId: number, entry: Omit<CachedIdentity, 'cachedAt'>, generation: number) {
    if (this.ttlMs <= 0 || generation !== this.generation) return
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!)
    if (Array.isArray(entry.user.roles)) Object.freeze(entry.user.roles)
    this.entries.set(sessionId, { ...entry, user: Object.freeze(entry.user), cachedAt: Date.now() })
  }

  forgetSession(sessionId: number) {
    this.generation++
    this.entries.delete(sessionId)
  }

  forgetUser(userId: number) {
    this.generation++
    for (const [sessionId, entry] of this.entries)
      if (entry.user.id === userId) this.entries.delete(sessionId)
  }

  get size() {
    return this.entries.size
  }
}

/** Creates the app's cache and subscribes it to the events that end or change an identity. */
export const identityCache = (app: Application) => {
  const cache = new IdentityCache((app.get('sessions').cacheSeconds ?? 0) * 1000)
  app.set('identityCache', cache)
  for (const event of ['updated', 'patched', 'removed']) {
    const forgetSession = (session: { id: number }) => cache.forgetSession(Number(session.id))
    const forgetUser = (user: { id: number }) => cache.forgetUser(Number(user.id))
    app.service('sessions').on(event, safely(app, `identity cache: sessions ${event}`, forgetSession))
    app.service('users').on(event, safely(app, `identity cache: users ${event}`, forgetUser))
  }
}

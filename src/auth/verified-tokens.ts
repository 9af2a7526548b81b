const MAX_ENTRIES = 10_000

/**
 * Access tokens whose signature, audience and algorithm were checked, with their payloads, until they expire.
 * A token is immutable and its check deterministic, so the same string needs checking once; only its expiry
 * depends on time, and it is checked again on every reuse. The whole token is the key: nothing but an exact
 * copy of a token this server verified is ever answered from here. Whether its session is still alive is
 * not this cache's business: the JWT strategy checks that on every request (identity cache, revocations).
 */
export class VerifiedTokens {
  private entries = new Map<string, Readonly<Record<string, any>>>()

  get(token: string, now = Date.now()) {
    const payload = this.entries.get(token)
    if (!payload) return undefined
    if (typeof payload.exp !== 'number' || payload.exp * 1000 <= now) {
      this.entries.delete(token)
      return undefined
    }
    return payload
  }

  set(token: string, payload: Record<string, any>) {
    // Tokens without an expiry are never issued here; they are not kept.
    if (typeof payload.exp !== 'number') return payload
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!)
    const frozen = Object.freeze(payload)
    this.entries.set(token, frozen)
    return frozen
  }

  get size() {
    return this.entries.size
  }
}

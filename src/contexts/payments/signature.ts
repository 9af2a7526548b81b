import { createHmac, timingSafeEqual } from 'node:crypto'

/** The hex HMAC-SHA256 of `<t>.<raw body>` — what `v1` carries in `X-Signature: t=<t>,v1=<hex>`. */
export const signatureOf = (secret: string, timestamp: number | string, rawBody: string | Buffer) =>
  createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')

/** The header value for a body signed now (or at `timestamp`): for tests, docs and a real sender alike. */
export const signatureHeader = (
  secret: string,
  rawBody: string | Buffer,
  timestamp = Math.floor(Date.now() / 1000)
) => `t=${timestamp},v1=${signatureOf(secret, timestamp, rawBody)}`

export type SignatureCheck =
  | { ok: true; timestamp: number }
  | { ok: false; reason: 'missing' | 'malformed' | 'mismatch' | 'stale'; message: string }

const HEX_SHA256 = /^[0-9a-f]{64}$/i

/**
 * Verifies `X-Signature` against the raw body: `t` must be whole unix seconds within `toleranceSeconds`
 * of now (either way), and one of the `v1` values must equal the expected HMAC (constant-time compare).
 * Several `v1` entries are allowed, so a sender can sign with an old and a new secret while rotating.
 */
export const verifySignature = (
  header: string | undefined,
  rawBody: Buffer,
  secret: string,
  toleranceSeconds: number,
  now = Math.floor(Date.now() / 1000)
): SignatureCheck => {
  if (!header) return { ok: false, reason: 'missing', message: 'Missing X-Signature header' }
  let timestamp: string | undefined
  const candidates: string[] = []
  for (const part of header.split(',')) {
    const index = part.indexOf('=')
    if (index < 0) continue
    const key = part.slice(0, index).trim()
    const value = part.slice(index + 1).trim()
    if (key === 't') timestamp = value
    else if (key === 'v1') candidates.push(value)
  }
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || !candidates.length) {
    return {
      ok: false,
      reason: 'malformed',
      message: 'Malformed X-Signature header: expected t=<unix seconds>,v1=<hex HMAC-SHA256>'
    }
  }
  const expected = Buffer.from(signatureOf(secret, timestamp, rawBody), 'hex')
  const matches = candidates.some((candidate) => {
    if (!HEX_SHA256.test(candidate)) return false
    return timingSafeEqual(Buffer.from(candidate, 'hex'), expected)
  })
  if (!matches)
    return { ok: false, reason: 'mismatch', message: 'Invalid X-Signature: the signature does not match' }
  const age = now - Number(timestamp)
  if (Math.abs(age) > toleranceSeconds) {
    return {
      ok: false,
      reason: 'stale',
      message: `X-Signature timestamp is ${age > 0 ? `${age} s old` : `${-age} s in the future`}; the tolerance is ${toleranceSeconds} s`
    }
  }
  return { ok: true, timestamp: Number(timestamp) }
}

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** A random secret for refresh tokens and API keys (256 bits, URL-safe). */
export const newSecret = () => randomBytes(32).toString('base64url')

/** Secrets are high-entropy, so a fast hash is enough to store them (unlike passwords). */
export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex')

export const sameHash = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))

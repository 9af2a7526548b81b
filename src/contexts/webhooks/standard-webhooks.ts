import { createHmac, randomBytes } from 'node:crypto'

// The Standard Webhooks scheme (https://www.standardwebhooks.com/): a secret `whsec_<base64 key>`, and each
// message signed as `v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">` with the decoded key.

const SECRET_PREFIX = 'whsec_'

/** A new signing secret: 32 random bytes, as the scheme writes it. */
export const newSigningSecret = () => `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`

/** The HMAC key a secret stands for: the base64 after `whsec_`. */
const keyOf = (secret: string) => Buffer.from(secret.replace(/^whsec_/, ''), 'base64')

/** The `webhook-signature` header of one message. */
export const signatureOf = (secret: string, id: string, timestamp: number, body: string) =>
  `v1,${createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.${body}`).digest('base64')}`

/** The headers of one delivery attempt, signed at `timestamp` (unix seconds). */
export const webhookHeaders = (secret: string, id: string, timestamp: number, body: string) => ({
  'webhook-id': id,
  'webhook-timestamp': String(timestamp),
  'webhook-signature': signatureOf(secret, id, timestamp, body)
})

import { BadRequest } from '@feathersjs/errors'
import { invalid } from '../../engine/errors'

/** How deep a webhook body may nest: provider events are flat; deeper JSON is refused before any work. */
export const MAX_EVENT_DEPTH = 16

export interface PaymentEvent {
  id: string
  type: string
  paymentId: number
  /** What the provider says it took: required on `payment.captured`, checked against the payment. */
  amountCents?: number
  currency?: string
  /** Optional assertions, checked against the payment when present. */
  orderId?: number
  providerRef?: string
  failureReason?: string
  /** The card issuer's reason for a failure (stripe: `decline_code`). */
  declineCode?: string
}

export interface Contradiction {
  field: string
  message: string
}

const invalidEvent = (field: string, message: string) => invalid(field, message, 'webhook event')

/**
 * Refuses what the database or the serializer cannot take, iteratively (no recursion on hostile input):
 * nesting deeper than `MAX_EVENT_DEPTH` and NUL characters in any key or string (PostgreSQL refuses them).
 */
const assertStorable = (root: unknown) => {
  const stack: Array<{ value: unknown; depth: number; path: string }> = [{ value: root, depth: 1, path: '' }]
  while (stack.length) {
    const { value, depth, path } = stack.pop()!
    if (typeof value === 'string' && value.includes('\u0000'))
      throw invalidEvent(path || 'body', 'must not contain NUL characters (\\u0000)')
    if (!value || typeof value !== 'object') continue
    if (depth > MAX_EVENT_DEPTH)
      throw invalidEvent(path, `nests deeper than ${MAX_EVENT_DEPTH} levels; webhook events are flat`)
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key
      if (key.includes('\u0000'))
        throw invalidEvent(path || 'body', 'has a key with a NUL character (\\u0000)')
      stack.push({ value: child, depth: depth + 1, path: childPath })
    }
  }
}

const optionalString = (body: any, field: string, max: number) => {
  if (body[field] !== undefined && (typeof body[field] !== 'string' || body[field].length > max))
    throw invalidEvent(field, `must be a string of at most ${max} characters`)
}

const optionalId = (body: any, field: string) => {
  if (body[field] !== undefined && (!Number.isSafeInteger(body[field]) || body[field] < 1))
    throw invalidEvent(field, 'must be a positive integer')
}

/** `{id, type, paymentId, …}`, or a 400 naming the field; a capture must say how much it took, and in what. */
export const parseEvent = (raw: Buffer): PaymentEvent => {
  let body: any
  try {
    body = JSON.parse(raw.toString('utf8'))
  } catch {
    throw new BadRequest('The webhook body must be a JSON object')
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new BadRequest('The webhook body must be a JSON object')
  }
  assertStorable(body)
  if (typeof body.id !== 'string' || !body.id.length || body.id.length > 255)
    throw invalidEvent('id', 'must be a string of 1 to 255 characters')
  if (typeof body.type !== 'string' || !body.type.length || body.type.length > 64)
    throw invalidEvent('type', 'must be a string of 1 to 64 characters')
  optionalId(body, 'paymentId')
  if (body.paymentId === undefined) throw invalidEvent('paymentId', 'must be a positive integer')
  optionalId(body, 'orderId')
  if (body.amountCents !== undefined && (!Number.isSafeInteger(body.amountCents) || body.amountCents < 0))
    throw invalidEvent('amountCents', 'must be a non-negative integer')
  optionalString(body, 'currency', 3)
  optionalString(body, 'providerRef', 128)
  optionalString(body, 'failureReason', 10_000)
  if (body.type === 'payment.captured') {
    if (body.amountCents === undefined) throw invalidEvent('amountCents', 'is required on payment.captured')
    if (body.currency === undefined) throw invalidEvent('currency', 'is required on payment.captured')
  }
  return body
}

/**
 * What a signed event asserts that the payment contradicts: a signature proves who sent the event, not
 * that it is about this payment or this amount, so every asserted field must match before anything changes.
 */
export const contradictions = (event: PaymentEvent, payment: Record<string, any>): Contradiction[] => {
  const found: Contradiction[] = []
  const expect = (field: keyof PaymentEvent, actual: unknown) => {
    if (event[field] !== undefined && event[field] !== actual)
      found.push({
        field,
        message: `is ${JSON.stringify(event[field])}; payment ${payment.id} has ${JSON.stringify(actual)}`
      })
  }
  expect('amountCents', payment.amountCents)
  expect('currency', payment.currency)
  expect('orderId', payment.orderId)
  // Not known yet while the provider's own answer to the charge is on its way (two phases): nothing to contradict.
  if (payment.providerRef) expect('providerRef', payment.providerRef)
  return found
}

import type { IncomingMessage } from 'node:http'
import { FeathersError, NotAuthenticated, NotFound, Unprocessable } from '@feathersjs/errors'
import type { Context, Next } from 'koa'
import type { Knex } from 'knex'
import type { Application } from '../../declarations'
import type { PaymentPatch } from '../../generated/types'
import { tableName } from '../../engine/declarations/declaration'
import { toClientError } from '../../engine/pipeline/map-errors'
import { OPEN_STATUSES, lockOrderAndPayment } from './order-payments'
import { verifySignature } from './signature'
import { contradictions, parseEvent, type Contradiction, type PaymentEvent } from './webhook-event'

export { parseEvent, type PaymentEvent }

export const WEBHOOK_PATH = '/payments/webhook'
const EVENTS_TABLE = tableName('payment-events')
const MAX_BODY_BYTES = 64 * 1024

/** The events this server acts on; any other well-formed event is acknowledged and ignored. */
export const HANDLED_EVENTS = ['payment.captured', 'payment.failed'] as const

export type WebhookOutcome =
  | { received: true; duplicate: true }
  | { received: true; ignored: string; paymentId?: number }
  | { received: true; paymentId: number; status: string }

/** An event the payment contradicts: recorded as `rejected` (committed), then answered 422. */
type Rejection = { rejected: Contradiction[]; paymentId: number }

const rejection = ({ rejected, paymentId }: Rejection) =>
  new Unprocessable(
    `The event contradicts payment ${paymentId}: ${rejected.map((c) => `${c.field} ${c.message}`).join('; ')}`,
    { errors: rejected }
  )

const tooLarge = () =>
  new FeathersError(
    `The webhook body is larger than ${MAX_BODY_BYTES} bytes`,
    'PayloadTooLarge',
    413,
    'payload-too-large',
    {}
  )

/** The request body exactly as sent: the signature covers these bytes, not a re-serialized parse. */
const readRawBody = async (request: IncomingMessage): Promise<Buffer> => {
  if (Number(request.headers['content-length'] ?? 0) > MAX_BODY_BYTES) throw tooLarge()
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    size += chunk.length
    if (size > MAX_BODY_BYTES) throw tooLarge()
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

/**
 * Applies one verified event exactly once, in one transaction: the order and payment rows are locked, the
 * event id is recorded in `payment-events` (a unique column; `ON CONFLICT DO NOTHING` makes a concurrent or
 * later delivery of the same id wait for the first and then find it), and the payment is patched through
 * the payments service (an internal call: `by: system` transitions), which pays the order on a capture.
 * Realtime events are published after the commit. An event for a payment that is no longer pending or
 * authorized is recorded as `ignored` and changes nothing; one that contradicts the payment (`contradictions`)
 * is recorded as `rejected`, committed, and then answered 422.
 */
export const processPaymentEvent = async (
  app: Application,
  event: PaymentEvent,
  payload: unknown
): Promise<WebhookOutcome> => {
  if (!(HANDLED_EVENTS as readonly string[]).includes(event.type)) {
    return { received: true, ignored: `event type ${event.type} is not handled` }
  }
  const knex = app.get('knex')
  const result = await app.get('tableChanges').transaction(knex, async (trx) => {
    const locked = await lockOrderAndPayment(trx, event.paymentId)
    if (!locked) throw new NotFound(`No payment found for paymentId ${event.paymentId}`)
    const { payment } = locked
    const rejected = contradictions(event, payment)
    const open = (OPEN_STATUSES as readonly string[]).includes(payment.status)
    const outcome = rejected.length ? 'rejected' : open ? 'applied' : 'ignored'
    const detail = rejected.length
      ? rejectionDetail(rejected)
      : open
        ? null
        : `payment was already ${payment.status}`
    const recorded = await trx(EVENTS_TABLE)
      .insert({
        eventId: event.id,
        type: event.type,
        paymentId: payment.id,
        outcome,
        detail,
        payload: JSON.stringify(payload)
      })
      .onConflict('eventId')
      .ignore()
      .returning('id')
    if (!recorded.length) return duplicateOf(trx, event.id)
    if (rejected.length) return { rejected, paymentId: payment.id as number }
    if (!open) {
      return {
        received: true,
        ignored: `payment ${payment.id} is already ${payment.status}`,
        paymentId: payment.id
      } as const
    }
    const change: PaymentPatch =
      event.type === 'payment.captured'
        ? { status: 'captured', capturedCents: payment.amountCents }
        : {
            status: 'failed',
            failureReason: (event.failureReason ?? 'reported failed by the provider').slice(0, 500)
          }
    const patched = await app
      .service('payments')
      .patch(payment.id as number, change, { transaction: { trx } })
    return { received: true, paymentId: patched.id, status: patched.status } as const
  })
  // Thrown after the commit: the rejected event stays on record for support.
  if ('rejected' in result) throw rejection(result)
  return result
}

const rejectionDetail = (rejected: Contradiction[]) =>
  `refused: ${rejected.map((c) => `${c.field} ${c.message}`).join('; ')}`.slice(0, 500)

/** A processed id answers `duplicate`, except a rejected one: it is refused again, never applied later. */
const duplicateOf = async (trx: Knex.Transaction, eventId: string): Promise<WebhookOutcome | Rejection> => {
  const first = await trx(EVENTS_TABLE).where({ eventId }).first('outcome', 'paymentId', 'payload', 'detail')
  if (first?.outcome !== 'rejected') return { received: true, duplicate: true }
  const payload = typeof first.payload === 'string' ? JSON.parse(first.payload) : first.payload
  const payment = await trx('payments').where({ id: first.paymentId }).first()
  const rejected = contradictions(payload, payment)
  // The recorded reason stands even if the payment no longer contradicts the stored event.
  if (!rejected.length) rejected.push({ field: 'id', message: `was ${first.detail}` })
  return { rejected, paymentId: first.paymentId }
}

/**
 * `POST /payments/webhook`, a public route for the payment provider, registered before the body parser:
 * it reads the raw body, verifies `X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`
 * with `payments.webhookSecret` (401 when missing, malformed, wrong or older than
 * `payments.webhookToleranceSeconds`), then processes the event once (`processPaymentEvent`).
 * Answers 200 `{received: true, …}`; 404 for an unknown payment (nothing is recorded, the provider retries).
 */
export const paymentWebhook = (app: Application) => async (ctx: Context, next: Next) => {
  if (ctx.path !== WEBHOOK_PATH || ctx.method !== 'POST') return next()
  const { webhookSecret, webhookToleranceSeconds } = app.get('payments')
  const raw = await readRawBody(ctx.req)
  const check = verifySignature(
    ctx.get('x-signature') || undefined,
    raw,
    webhookSecret,
    webhookToleranceSeconds
  )
  if (!check.ok) throw new NotAuthenticated(check.message, { reason: check.reason })
  const event = parseEvent(raw)
  const logger = app.get('logger')
  let outcome: WebhookOutcome
  try {
    outcome = await processPaymentEvent(app, event, event)
  } catch (error) {
    throw toClientError(error, { app, path: 'payments', method: 'patch' } as any)
  }
  logger.info({ eventId: event.id, type: event.type, paymentId: event.paymentId, outcome }, 'payment webhook')
  ctx.status = 200
  ctx.body = outcome
}

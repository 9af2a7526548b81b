import type { IncomingMessage } from 'node:http'
import { FeathersError, NotAuthenticated, Unprocessable } from '@feathersjs/errors'
import type { Context, Next } from 'koa'
import type { Application } from '../../declarations'
import { toClientError } from '../../engine/pipeline/map-errors'
import { applyPaymentEvent, type Rejection, type WebhookOutcome } from './apply-payment-event'
import { verifySignature } from './signature'
import { parseEvent, type PaymentEvent } from './webhook-event'

export { parseEvent, type PaymentEvent, type WebhookOutcome }

export const WEBHOOK_PATH = '/payments/webhook'
const MAX_BODY_BYTES = 64 * 1024

/** The events this server acts on; any other well-formed event is acknowledged and ignored. */
export const HANDLED_EVENTS = ['payment.captured', 'payment.failed'] as const

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
export const readRawBody = async (request: IncomingMessage): Promise<Buffer> => {
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
 * Applies one verified event exactly once: the `applyPaymentEvent` command in a transaction of its own.
 * Realtime events are published after the commit; a rejected event is committed (it stays on record for
 * support) and then refused with a 422.
 */
export const processPaymentEvent = async (
  app: Application,
  event: PaymentEvent,
  payload: unknown
): Promise<WebhookOutcome> => {
  if (!(HANDLED_EVENTS as readonly string[]).includes(event.type)) {
    return { received: true, ignored: `event type ${event.type} is not handled` }
  }
  const result = await applyPaymentEvent(app, { event, payload }, {})
  if ('rejected' in result) throw rejection(result)
  return result
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

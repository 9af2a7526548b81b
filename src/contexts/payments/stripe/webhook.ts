import { BadRequest, NotAuthenticated, NotFound } from '@feathersjs/errors'
import type { Context, Next } from 'koa'
import Stripe from 'stripe'
import type { Application } from '../../../declarations'
import { toClientError } from '../../../engine/pipeline/map-errors'
import { jsonOnly } from '../../../input/json-only'
import { stripeSettings } from '../provider-settings'
import { processPaymentEvent, readRawBody } from '../webhook'
import { storablePayload, toPaymentEvent } from './events'

export const STRIPE_WEBHOOK_PATH = '/payments/webhook/stripe'

/**
 * The raw body verified with the SDK against `Stripe-Signature` (docs.stripe.com/webhooks#verify-events): a wrong
 * or missing signature, or one older than `webhookToleranceSeconds`, is a 401 (as the simulated webhook answers).
 */
const verified = (raw: Buffer, signature: string | undefined, secret: string, tolerance: number) => {
  if (!signature) throw new NotAuthenticated('Missing Stripe-Signature header', { reason: 'missing' })
  try {
    return Stripe.webhooks.constructEvent(raw, signature, secret, tolerance)
  } catch (error) {
    if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
      const stale = /tolerance/i.test(error.message)
      throw new NotAuthenticated(`Invalid Stripe-Signature: ${error.message}`, {
        reason: stale ? 'stale' : 'mismatch'
      })
    }
    throw new BadRequest('The webhook body must be a Stripe event (JSON)')
  }
}

/**
 * `POST /payments/webhook/stripe`, public, registered before the body parser (the signature covers the raw
 * bytes). A verified event about one of our payments is applied once per Stripe event id, in the transaction of
 * its effect (`processPaymentEvent`, as the simulated webhook does); any other type is acknowledged (200) and
 * ignored. 404 while no Stripe webhook secret is configured.
 */
export const stripeWebhook = (app: Application) => async (ctx: Context, next: Next) => {
  if (ctx.path !== STRIPE_WEBHOOK_PATH || ctx.method !== 'POST') return next()
  const settings = stripeSettings(app)
  if (!settings?.webhookSecret)
    throw new NotFound('Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET)')
  // As every other route: only JSON (a 415 otherwise), checked before anything is read.
  await jsonOnly(ctx, async () => undefined)
  const raw = await readRawBody(ctx.req)
  const event = verified(
    raw,
    ctx.get('stripe-signature') || undefined,
    settings.webhookSecret,
    settings.webhookToleranceSeconds
  )
  const ours = toPaymentEvent(event)
  let outcome
  try {
    outcome =
      'ignored' in ours
        ? { received: true, ignored: ours.ignored }
        : await processPaymentEvent(app, ours, storablePayload(event))
  } catch (error) {
    throw toClientError(error, { app, path: 'payments', method: 'patch' } as any)
  }
  app.get('logger').info({ eventId: event.id, type: event.type, outcome }, 'stripe webhook')
  ctx.status = 200
  ctx.body = outcome
}

// The OpenAPI description of POST /payments/webhook (src/contexts/payments/webhook.ts): the payments
// context's contribution to the document (src/contexts/index.ts `openApi`).
import type { JsonSchema } from '../../engine/declarations/field-types'
import { errorRef, json, ref, type OpenApiContribution } from '../../engine/generators/openapi'

const schemas: Record<string, JsonSchema> = {
  WebhookEvent: {
    type: 'object',
    required: ['id', 'type', 'paymentId'],
    properties: {
      id: {
        type: 'string',
        minLength: 1,
        maxLength: 255,
        description: "The provider's event id; processed once"
      },
      type: { type: 'string', minLength: 1, maxLength: 64, example: 'payment.captured' },
      paymentId: { type: 'integer', minimum: 1 },
      amountCents: {
        type: 'integer',
        minimum: 0,
        description: "Required on payment.captured; must equal the payment's amount (else 422)"
      },
      currency: { type: 'string', maxLength: 3, description: "Required on payment.captured; the payment's" },
      orderId: { type: 'integer', minimum: 1, description: "Optional; must be the payment's order" },
      providerRef: {
        type: 'string',
        maxLength: 128,
        description: "Optional; must be the payment's, or becomes it when the payment has none yet"
      },
      failureReason: { type: 'string' }
    }
  },
  WebhookOutcome: {
    type: 'object',
    required: ['received'],
    properties: {
      received: { type: 'boolean', enum: [true] },
      duplicate: { type: 'boolean', description: 'This event id was processed before' },
      ignored: { type: 'string', description: 'Why nothing changed' },
      paymentId: { type: 'integer' },
      status: { type: 'string', description: 'The payment status after the event' }
    }
  }
}

/** `POST /payments/webhook` (src/contexts/payments/webhook.ts): signed by the provider, no credentials. */
const webhookPath = {
  '/payments/webhook': {
    post: {
      tags: ['payments'],
      summary: 'Payment provider webhook',
      description:
        'For the payment provider: the raw body must be signed. Each event id is processed once; an unknown ' +
        'payment is a 404 (nothing is recorded, so the provider retries).',
      operationId: 'paymentWebhook',
      parameters: [
        {
          name: 'X-Signature',
          in: 'header',
          required: true,
          description: '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with the webhook secret',
          schema: { type: 'string' }
        }
      ],
      requestBody: { required: true, ...json(ref('WebhookEvent')) },
      responses: {
        '200': { description: 'The event was received', ...json(ref('WebhookOutcome')) },
        '400': errorRef('BadRequest'),
        '401': errorRef('NotAuthenticated'),
        '404': errorRef('NotFound'),
        '413': errorRef('PayloadTooLarge'),
        '415': errorRef('UnsupportedMediaType'),
        '422': {
          description:
            'The event contradicts the payment (amount, currency, order or reference): recorded, refused',
          ...json(ref('Error'))
        },
        '503': errorRef('ServiceUnavailable')
      },
      security: []
    }
  }
}

/** `POST /payments/webhook/stripe` (src/contexts/payments/stripe/webhook.ts): Stripe's events, Stripe's signature. */
const stripeWebhookPath = {
  '/payments/webhook/stripe': {
    post: {
      tags: ['payments'],
      summary: 'Stripe webhook',
      description:
        "For Stripe: a Stripe event (docs.stripe.com/api/events/object), verified with the SDK against the raw body and the endpoint's signing secret (`STRIPE_WEBHOOK_SECRET`). Acts on payment_intent.succeeded, payment_intent.payment_failed and payment_intent.canceled of this API's payments, once per event id; any other event is acknowledged and ignored. 404 while Stripe webhooks are not configured.",
      operationId: 'stripeWebhook',
      parameters: [
        {
          name: 'Stripe-Signature',
          in: 'header',
          required: true,
          description:
            '`t=<unix seconds>,v1=<hex HMAC-SHA256>`, as Stripe signs; older than the tolerance: 401',
          schema: { type: 'string' }
        }
      ],
      requestBody: {
        required: true,
        ...json({ type: 'object', description: 'A Stripe event', additionalProperties: true })
      },
      responses: {
        '200': { description: 'The event was received', ...json(ref('WebhookOutcome')) },
        '400': errorRef('BadRequest'),
        '401': errorRef('NotAuthenticated'),
        '404': errorRef('NotFound'),
        '413': errorRef('PayloadTooLarge'),
        '415': errorRef('UnsupportedMediaType'),
        '422': {
          description: 'The event contradicts the payment (amount, currency or intent): recorded, refused',
          ...json(ref('Error'))
        },
        '503': errorRef('ServiceUnavailable')
      },
      security: []
    }
  }
}

export const paymentsOpenApi: OpenApiContribution = {
  // Only where payments are declared; the schemas always, so no resource can take their names.
  paths: (resources) =>
    resources.some((resource) => resource.name === 'payments')
      ? { ...webhookPath, ...stripeWebhookPath }
      : {},
  schemas: () => schemas
}

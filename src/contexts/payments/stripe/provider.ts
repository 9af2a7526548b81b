import Stripe from 'stripe'
import type { Application } from '../../../declarations'
import type {
  ChargeRequest,
  Currency,
  PaymentProvider,
  PaymentResult,
  RefundRequest,
  RefundResult
} from '../provider'
import { toStripeAmount, toStripeCurrency } from './amounts'
import { stripeSettings } from '../provider-settings'
import { stripeClient } from './client'
import { chargeErrorResult, chargeResult, refundResult, unavailable } from './results'

/** A Stripe PaymentMethod id (docs.stripe.com/api/payment_methods/object): never card data. */
export const PAYMENT_METHOD_ID = /^pm_[A-Za-z0-9_]{1,120}$/

/** Our idempotency key, kept on the intent and the refund so the reconciler can find them. */
const metadataOf = (idempotencyKey: string) => ({ key: idempotencyKey })

/**
 * Stripe through its official SDK: a PaymentIntent created and confirmed at once per payment, with our key
 * (`payment-<id>`) as its `Idempotency-Key` and in its metadata; refunds likewise (`refund-<id>`). Amounts go in
 * Stripe's minor unit of each currency (amounts.ts). 3-D Secure leaves the intent `requires_action`: the payment
 * stays pending with the client secret for Stripe.js, and Stripe's webhook settles it (stripe/webhook.ts).
 */
export class StripeProvider implements PaymentProvider {
  readonly name = 'stripe'
  readonly methodsHint = 'a Stripe PaymentMethod id (pm_…, from Stripe.js); card numbers are never accepted'
  private client?: Stripe

  constructor(private readonly app: Application) {}

  private get stripe(): Stripe {
    return (this.client ??= stripeClient(this.app))
  }

  /** Stripe's search shows an intent within about a minute, later during incidents (docs.stripe.com/search). */
  get lookupLagSeconds(): number {
    return stripeSettings(this.app)?.searchLagSeconds ?? 600
  }

  supports(paymentMethod: string): boolean {
    return PAYMENT_METHOD_ID.test(paymentMethod)
  }

  /** Any failure but a decline or an invalid request is `ProviderUnavailable` (results.ts). */
  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      throw unavailable(error)
    }
  }

  async charge({
    idempotencyKey,
    paymentMethod,
    amountCents,
    currency
  }: ChargeRequest): Promise<PaymentResult> {
    try {
      const intent = await this.stripe.paymentIntents.create(
        {
          amount: toStripeAmount(amountCents, currency),
          currency: toStripeCurrency(currency),
          payment_method: paymentMethod,
          // Confirmed on the server without a return URL: methods that redirect are left out
          // (docs.stripe.com/payments/accept-a-payment-synchronously); 3-D Secure still works through Stripe.js.
          automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
          confirm: true,
          metadata: metadataOf(idempotencyKey)
        },
        { idempotencyKey }
      )
      return chargeResult(intent)
    } catch (error) {
      return chargeErrorResult(error)
    }
  }

  /** The intent made with this key (search: docs.stripe.com/search), the taken one first if there were several. */
  private async intentOf(idempotencyKey: string): Promise<Stripe.PaymentIntent | undefined> {
    const found = await this.call(() =>
      this.stripe.paymentIntents.search({ query: `metadata['key']:'${idempotencyKey}'` })
    )
    return found.data.find((intent) => intent.status === 'succeeded') ?? found.data[0]
  }

  async findCharge(idempotencyKey: string): Promise<PaymentResult | undefined> {
    const intent = await this.intentOf(idempotencyKey)
    return intent && chargeResult(intent)
  }

  /** Cancels the intent unless it succeeded (docs.stripe.com/api/payment_intents/cancel). */
  async cancel(request: { idempotencyKey: string; amountCents: number; currency: Currency }) {
    const intent = await this.intentOf(request.idempotencyKey)
    if (!intent) return { status: 'cancelled' as const, providerRef: '' }
    if (['succeeded', 'canceled'].includes(intent.status)) return chargeResult(intent)
    try {
      return chargeResult(
        await this.stripe.paymentIntents.cancel(
          intent.id,
          {},
          { idempotencyKey: `cancel-${request.idempotencyKey}` }
        )
      )
    } catch (error) {
      // It succeeded meanwhile: what it is now is the answer.
      if (!(error instanceof Stripe.errors.StripeInvalidRequestError)) throw unavailable(error)
      return chargeResult(await this.call(() => this.stripe.paymentIntents.retrieve(intent.id)))
    }
  }

  async refund({ idempotencyKey, providerRef, amountCents, currency }: RefundRequest): Promise<RefundResult> {
    try {
      const refund = await this.stripe.refunds.create(
        {
          payment_intent: providerRef,
          amount: toStripeAmount(amountCents, currency),
          metadata: metadataOf(idempotencyKey)
        },
        { idempotencyKey }
      )
      return refundResult(refund)
    } catch (error) {
      if (!(error instanceof Stripe.errors.StripeInvalidRequestError)) throw unavailable(error)
      return { status: 'failed', providerRef: '', failureReason: `refused by Stripe: ${error.message}` }
    }
  }

  /** Refunds are listed by intent (docs.stripe.com/api/refunds/list); ours carries its key in its metadata. */
  async findRefund(idempotencyKey: string, providerRef?: string): Promise<RefundResult | undefined> {
    if (!providerRef) return undefined
    const refunds = await this.call(() =>
      this.stripe.refunds.list({ payment_intent: providerRef, limit: 100 })
    )
    const refund = refunds.data.find((candidate) => candidate.metadata?.key === idempotencyKey)
    return refund && refundResult(refund)
  }
}

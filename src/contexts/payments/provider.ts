import type { Application } from '../../declarations'
import type { Currency } from '../../generated/vocabularies'
import { enabledProviders, providerSettings, type ProviderName } from './provider-settings'
import { SimulatedProvider } from './simulated'
import { StripeProvider } from './stripe/provider'

// Declared once, in src/contexts/_vocabularies.yaml (`currencies`).
export type { Currency }

/**
 * What a provider says about a charge: taken, refused, released, or not decided yet (a webhook will tell).
 * `cancelled`: released before it was taken, or never made (`cancel` on a key the provider had not seen).
 */
export interface PaymentResult {
  status: 'captured' | 'failed' | 'pending' | 'cancelled'
  /** The provider's id for the charge; webhooks and refunds refer to it. */
  providerRef: string
  /** Why a payment failed, in words a support agent can relay. */
  failureReason?: string
  /** A card issuer's refusal (stripe: `decline_code`): the create answers 402 with it. */
  declineCode?: string
  /** The request named this parameter wrong (stripe: an unknown PaymentMethod): the create answers 400 naming it. */
  invalidField?: string
  /** The provider refused the request for another reason (stripe: an invalid_request_error's code): 422. */
  providerCode?: string
  /** While pending: what the client needs to finish it (stripe: the client secret and the next action's type). */
  clientSecret?: string
  nextAction?: string
}

export interface RefundResult {
  status: 'succeeded' | 'failed'
  providerRef: string
  failureReason?: string
}

export interface ChargeRequest {
  /** Ours for this payment (`payment-<id>`): the provider makes at most one charge per key. */
  idempotencyKey: string
  paymentMethod: string
  amountCents: number
  currency: Currency
}

export interface RefundRequest {
  /** Ours for this refund (`refund-<id>`): the provider gives back at most once per key. */
  idempotencyKey: string
  /** The charge to give back from. */
  providerRef: string
  amountCents: number
  currency: Currency
}

/**
 * The one interface every payment provider implements. The server never calls it inside a database transaction:
 * it records the payment or refund as `pending`, commits, calls with our idempotency key (waiting at most
 * `payments.providerTimeoutMs`), then records the answer. A reconciler asks about what a crash or a timeout left
 * pending (`findCharge`, `findRefund`), so every call must be safe to repeat with the same key.
 *
 * The default is `SimulatedProvider` (src/contexts/payments/simulated.ts). A real provider (a card processor's API)
 * is one more class implementing this interface, registered in `makers` below and enabled in
 * `payments.providers` (docs/api/payment-processing.md, "Writing another provider").
 */
export interface PaymentProvider {
  readonly name: string
  /** The methods it accepts, when they can be listed (for the error message on any other). */
  readonly acceptedMethods?: readonly string[]
  /** The methods it accepts in words, when they cannot be listed (stripe: `pm_…` ids). */
  readonly methodsHint?: string
  /**
   * Seconds after a call within which `findCharge` may miss what the call did (a search index that lags its
   * writes): the reconciler takes a key not found as never used only for a payment older than this.
   */
  readonly lookupLagSeconds?: number
  /** Whether this provider accepts the method; the server answers 400 naming `paymentMethod` otherwise. */
  supports(paymentMethod: string): boolean
  /** Takes the amount (authorized and captured at once), or says it is pending; once per key. */
  charge(request: ChargeRequest): Promise<PaymentResult>
  /** What became of the charge made with this key; undefined when the provider never saw the key. */
  findCharge(idempotencyKey: string): Promise<PaymentResult | undefined>
  /**
   * Releases the charge of this key unless it was taken, and refuses any later charge with the key; answers
   * what the key stands for afterwards (`cancelled`, or `captured` when the charge was taken first).
   */
  cancel(request: { idempotencyKey: string; amountCents: number; currency: Currency }): Promise<PaymentResult>
  /** Gives back part or all of a captured charge; once per key. */
  refund(request: RefundRequest): Promise<RefundResult>
  /**
   * What became of the refund made with this key; undefined when the provider never saw the key. `providerRef` is
   * the charge it gives back from (a provider may look for refunds by charge only).
   */
  findRefund(idempotencyKey: string, providerRef?: string): Promise<RefundResult | undefined>
}

/** The providers the server knows, by the name `payments.providers` and a payment's `provider` use. */
const makers: Record<ProviderName, (app: Application) => PaymentProvider> = {
  simulated: (app) => new SimulatedProvider(app),
  stripe: (app) => new StripeProvider(app)
}

const instances = new WeakMap<object, Map<string, PaymentProvider>>()

/**
 * A provider by name (one instance per app): a payment's own (`payment.provider`), so that its refunds,
 * reconciliation and webhooks go to the provider that took it, even one no longer enabled for new payments.
 * Without a name, the first enabled one.
 */
export const providerFor = (app: Application, name?: string | null): PaymentProvider => {
  const chosen = name ?? enabledProviders(app)[0] ?? 'simulated'
  const known = instances.get(app) ?? new Map<string, PaymentProvider>()
  instances.set(app, known)
  let provider = known.get(chosen)
  if (!provider) {
    const make = makers[chosen as ProviderName]
    if (!make) throw new Error(`Unknown payment provider '${chosen}' (payments.providers)`)
    provider = make(app)
    known.set(chosen, provider)
  }
  return provider
}

/** Forgets the app's provider instances, so the next call reads `payments.providers` again (tests). */
export const resetProviders = (app: Application) => instances.delete(app)

/** The enabled providers, each with the currencies it serves (`payments.providers`, src/configuration.ts). */
export const enabledPaymentProviders = (app: Application) =>
  enabledProviders(app).map((name) => ({
    provider: providerFor(app, name),
    currencies: providerSettings(app, name)?.currencies
  }))

/** Our idempotency keys at the provider: the payment's and the refund's ids. */
export const chargeKey = (paymentId: number) => `payment-${paymentId}`
export const refundKey = (refundId: number) => `refund-${refundId}`

import type { Application } from '../../declarations'
import type { Currency } from '../../generated/vocabularies'
import { SimulatedProvider } from './simulated'

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
 * is one more class implementing this interface, selected by `payments.provider` in the configuration
 * (`providerFor` below); nothing else in the server changes.
 */
export interface PaymentProvider {
  readonly name: string
  /** The methods it accepts, when they can be listed (for the error message on any other). */
  readonly acceptedMethods?: readonly string[]
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
  /** What became of the refund made with this key; undefined when the provider never saw the key. */
  findRefund(idempotencyKey: string): Promise<RefundResult | undefined>
}

const providers: Record<string, (app: Application) => PaymentProvider> = {
  simulated: (app) => new SimulatedProvider(app)
}

const instances = new WeakMap<object, PaymentProvider>()

/** The configured provider of an app (one instance per app). */
export const providerFor = (app: Application): PaymentProvider => {
  let provider = instances.get(app)
  if (!provider) {
    const name = app.get('payments')?.provider ?? 'simulated'
    const make = providers[name]
    if (!make) throw new Error(`Unknown payment provider '${name}' (payments.provider)`)
    provider = make(app)
    instances.set(app, provider)
  }
  return provider
}

/** Our idempotency keys at the provider: the payment's and the refund's ids. */
export const chargeKey = (paymentId: number) => `payment-${paymentId}`
export const refundKey = (refundId: number) => `refund-${refundId}`

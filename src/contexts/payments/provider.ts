import type { Application } from '../../declarations'
import type { Currency } from '../../generated/vocabularies'
import { SimulatedProvider } from './simulated'

// Declared once, in src/contexts/_vocabularies.yaml (`currencies`).
export type { Currency }

/** What a provider says about a payment: taken, refused, or not decided yet (a webhook will tell). */
export interface PaymentResult {
  status: 'authorized' | 'captured' | 'failed' | 'pending'
  /** The provider's id for the payment; webhooks and refunds refer to it. */
  providerRef: string
  /** Why a payment failed, in words a support agent can relay. */
  failureReason?: string
}

export interface RefundResult {
  status: 'succeeded' | 'failed'
  providerRef: string
  failureReason?: string
}

export interface AuthorizeRequest {
  /** Our payment's reference for the provider (idempotency on their side). */
  reference: string
  paymentMethod: string
  amountCents: number
  currency: Currency
}

/**
 * The one interface every payment provider implements. The server calls it inside the transaction of the
 * payment or refund it records, so a provider call must be quick or answer `pending` and report later through
 * a signed webhook (`POST /payments/webhook`).
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
  /** Reserves (or, for methods that cannot be held, takes) the amount. */
  authorize(request: AuthorizeRequest): Promise<PaymentResult>
  /** Takes an authorized amount. */
  capture(request: { providerRef: string; amountCents: number; currency: Currency }): Promise<PaymentResult>
  /** Gives back part or all of a captured amount. */
  refund(request: {
    providerRef: string
    amountCents: number
    currency: Currency
    reference: string
  }): Promise<RefundResult>
  /** Releases a pending or authorized payment that will not be captured. */
  cancel(request: { providerRef: string }): Promise<void>
}

const providers: Record<string, () => PaymentProvider> = {
  simulated: () => new SimulatedProvider()
}

const instances = new WeakMap<object, PaymentProvider>()

/** The configured provider of an app (one instance per app). */
export const providerFor = (app: Application): PaymentProvider => {
  let provider = instances.get(app)
  if (!provider) {
    const name = app.get('payments')?.provider ?? 'simulated'
    const make = providers[name]
    if (!make) throw new Error(`Unknown payment provider '${name}' (payments.provider)`)
    provider = make()
    instances.set(app, provider)
  }
  return provider
}

import { randomUUID } from 'node:crypto'
import type { PaymentProvider, PaymentResult, RefundResult } from './provider'

/** The test payment methods, in the style of card processors' test tokens. */
export const SIMULATED_METHODS = {
  /** Authorized and captured at once. */
  sim_succeed: 'captured',
  /** Declined. */
  sim_fail: 'failed',
  /** Stays pending until a signed `payment.captured` or `payment.failed` webhook arrives. */
  sim_async: 'pending'
} as const

type SimulatedMethod = keyof typeof SIMULATED_METHODS

const ref = (prefix: string) => `${prefix}_${randomUUID().replace(/-/g, '')}`

/**
 * The default provider: no network, deterministic by payment method. Refunds and cancellations always
 * succeed. Its asynchronous payments are completed by webhooks signed like a real provider's
 * (docs/api/payment-processing.md shows how to send one).
 */
export class SimulatedProvider implements PaymentProvider {
  readonly name = 'simulated'
  readonly acceptedMethods = Object.keys(SIMULATED_METHODS)

  supports(paymentMethod: string): boolean {
    return Object.hasOwn(SIMULATED_METHODS, paymentMethod)
  }

  async authorize({ paymentMethod }: { paymentMethod: string }): Promise<PaymentResult> {
    const outcome = SIMULATED_METHODS[paymentMethod as SimulatedMethod]
    const providerRef = ref('simpay')
    if (outcome === 'failed') {
      return { status: 'failed', providerRef, failureReason: 'card declined (simulated: sim_fail)' }
    }
    return { status: outcome === 'pending' ? 'pending' : 'authorized', providerRef }
  }

  async capture({ providerRef }: { providerRef: string }): Promise<PaymentResult> {
    return { status: 'captured', providerRef }
  }

  async refund(): Promise<RefundResult> {
    return { status: 'succeeded', providerRef: ref('simref') }
  }

  async cancel(): Promise<void> {}
}

import { Conflict, NotFound } from '@feathersjs/errors'
import { afterCommit } from '../../engine/runtime/after-commit'
import { defineCommand, step } from '../../engine/runtime/command'
import { readableBy } from '../../engine/pipeline/readable'
import { assertRequirements } from '../../engine/pipeline/transition-steps'
import { invalid } from '../../engine/errors'
import { BLOCKING_STATUSES, ordersDeclaration } from './order-payments'
import { chargePayment, type ChargeOutcome } from './payment-calls'
import { enabledPaymentProviders, type PaymentProvider } from './provider'

export interface PayOrderInput {
  orderId: number
  paymentMethod: string
  /** Told what became of the provider call after the commit (the create's answer depends on it). */
  onCharged?: (outcome: ChargeOutcome) => void
}

interface PayOrderState {
  /** The enabled providers that accept the method; the first serving the order's currency takes it. */
  candidates: ReturnType<typeof enabledPaymentProviders>
  provider: PaymentProvider
  order: Record<string, any>
  payment: Record<string, any>
}

type PayStep = Parameters<typeof step<PayOrderInput, PayOrderState>>[1]
const payStep = (name: string, run: PayStep) => step<PayOrderInput, PayOrderState>(name, run)

/** Methods in words: listed when a provider can list them, else its hint (stripe: `pm_…` ids). */
const describeMethods = (providers: PaymentProvider[]) =>
  providers
    .map((p) => (p.acceptedMethods?.length ? p.acceptedMethods.join(', ') : p.methodsHint))
    .join('; or ')

/** Some enabled provider accepts the method, or a 400 naming `paymentMethod` (and never echoing it). */
const checkMethod = payStep('checkMethod', ({ app, input, state }) => {
  const enabled = enabledPaymentProviders(app)
  state.candidates = enabled.filter(({ provider }) => provider.supports(input.paymentMethod))
  if (!state.candidates.length) {
    const accepted = describeMethods(enabled.map(({ provider }) => provider))
    throw invalid(
      'paymentMethod',
      `is not accepted by the enabled payment providers${accepted ? `: use ${accepted}` : ''}`
    )
  }
})

/** The first provider accepting the method that serves the order's currency (`payments.providers.*.currencies`). */
const chooseProvider = payStep('chooseProvider', ({ state }) => {
  const currency = state.order!.currency
  const serving = state.candidates!.find(({ currencies }) => !currencies || currencies.includes(currency))
  if (!serving) {
    throw invalid(
      'paymentMethod',
      `is not accepted for ${currency} payments by the enabled payment providers`
    )
  }
  state.provider = serving.provider
})

/** The order row locked (two attempts for one order run one after the other); someone else's is a 404. */
const lockOrder = payStep('lockOrder', async ({ app, trx, input, params, state }) => {
  const order = await trx('orders').where({ id: input.orderId }).forUpdate().first()
  // Someone else's order (or one an API key may not read) is answered like a missing one; readableBy reads
  // only the call's params.
  if (!order || !readableBy({ params } as any, ordersDeclaration(app)!)(order)) {
    throw new NotFound(`No order found for orderId ${input.orderId}`, { field: 'orderId' })
  }
  state.order = order
})

/** Pending, payable (its `pay` transition's requirements met, a total), and no payment open or captured. */
const checkPayable = payStep('checkPayable', async ({ app, trx, state }) => {
  const order = state.order!
  if (order.status !== 'pending') {
    throw new Conflict(`Order ${order.id} is ${order.status}; only a pending order can be paid`, {
      field: 'orderId',
      status: order.status
    })
  }
  // Refused now, before the provider is asked, as the order's `pay` transition would refuse it later.
  assertRequirements(ordersDeclaration(app)!, 'pay', order)
  if (!order.currency || !(order.totalCents > 0)) {
    throw new Conflict(`Order ${order.id} has nothing to pay`, { field: 'orderId' })
  }
  const blocking = await trx('payments')
    .where({ orderId: order.id })
    .whereIn('status', [...BLOCKING_STATUSES])
    .first('id', 'status')
  if (blocking) {
    throw new Conflict(
      `Order ${order.id} already has a ${blocking.status} payment (${blocking.id}); ` +
        'a new payment is possible only after it failed or was cancelled',
      { field: 'orderId', paymentId: blocking.id, status: blocking.status }
    )
  }
})

/** Recorded as pending and committed first, so the provider gets our payment id as its key; the owner is derived. */
const recordPending = payStep('recordPending', async ({ input, state, records }) => {
  state.payment = await records.create('payments', {
    orderId: input.orderId,
    paymentMethod: input.paymentMethod,
    provider: state.provider!.name,
    status: 'pending',
    amountCents: state.order!.totalCents,
    currency: state.order!.currency,
    capturedCents: 0,
    refundedCents: 0
  })
})

/** The provider is asked after the commit: no row lock is held while it answers (payment-calls.ts). */
const chargeAfterCommit = payStep('chargeAfterCommit', ({ app, trx, input, params, state }) => {
  const payment = state.payment!
  afterCommit(app, trx, `payments: charge ${payment.id}`, async () =>
    input.onCharged?.(await chargePayment(app, payment, params.user))
  )
})

/**
 * `payOrder` (`POST /payments {orderId, paymentMethod}`): the order's owner (or an admin) pays a pending
 * order's total through the configured provider, in two phases. In the caller's transaction: the order locked
 * and checked, the payment recorded `pending`. After the commit: the provider charged with the payment's id as
 * its idempotency key (waiting at most `payments.providerTimeoutMs`), and its answer recorded by `settlePayment`
 * (a capture pays the order). A payment still pending then is settled by a signed webhook
 * (src/contexts/payments/webhook.ts) or by the reconciler (src/contexts/payments/reconcile.ts).
 */
export const payOrder = defineCommand<PayOrderInput, PayOrderState, Record<string, any>>(
  'payOrder',
  [checkMethod, lockOrder, checkPayable, chooseProvider, recordPending, chargeAfterCommit],
  ({ state }) => state.payment!
)

import { BadGateway, Conflict, FeathersError, NotFound } from '@feathersjs/errors'
import type { Knex } from 'knex'
import type { Behaviour } from '../../engine/runtime/behaviour'
import type { HookContext } from '../../declarations'
import type { ResourceDeclaration } from '../../engine/declarations/declaration'
import { decideAccess, matchesWhere } from '../../engine/runtime/policy'
import { identityOf } from '../../engine/pipeline/authorize'
import { BLOCKING_STATUSES, ordersDeclaration, payOrder } from './order-payments'
import { assertRequirements } from '../../engine/pipeline/transition-steps'
import { providerFor, type PaymentProvider, type PaymentResult } from './provider'
import { invalid } from '../../engine/errors'

/** Whether the caller could `GET /orders/:id` this order (internal calls and API keys: any order). */
const mayGetOrder = (context: HookContext, order: Record<string, unknown>) => {
  if (!context.params.provider || context.params.apiKey) return true
  const orders = context.app
    .get('resources')
    .find((resource: ResourceDeclaration) => resource.name === 'orders')
  if (!orders) return false
  const decision = decideAccess(orders, 'get', identityOf(context))
  if (!decision.allowed) return false
  return decision.scope === null || decision.scope.some((where) => matchesWhere(order, where))
}

/** A provider that throws (unreachable, timed out) rolls the payment back: nothing is recorded. */
const askProvider = async <T>(call: () => Promise<T>): Promise<T> => {
  try {
    return await call()
  } catch (error) {
    if (error instanceof FeathersError) throw error
    throw new BadGateway('The payment provider did not answer; nothing was recorded, retry the request')
  }
}

/** Authorizes, and captures at once what was authorized (no separate capture step in this API). */
const charge = async (provider: PaymentProvider, payment: Record<string, any>): Promise<PaymentResult> => {
  const request = { amountCents: payment.amountCents, currency: payment.currency }
  const authorized = await provider.authorize({
    ...request,
    reference: `payment-${payment.id}`,
    paymentMethod: payment.paymentMethod
  })
  if (authorized.status !== 'authorized') return authorized
  return provider.capture({ ...request, providerRef: authorized.providerRef })
}

/**
 * `POST /payments {orderId, paymentMethod}`: the order's owner (or an admin) pays a pending order's total
 * through the configured provider. In one transaction: the order row is locked (so two attempts for one
 * order are serialized), the payment is recorded as pending, the provider is asked, the payment takes the
 * provider's answer, and a capture pays the order. A payment that stays pending is completed by a webhook
 * (src/contexts/payments/webhook.ts), which patches it internally; a capture that way pays the order too
 * (the `capture` transition's effect, payments.yaml).
 */
export const paymentProcessing: Behaviour = {
  description: 'payments through the configured provider; a capture pays the order in the same transaction',
  around: {
    create: [
      async (context, next) => {
        const { app, params } = context
        const trx: Knex.Transaction = params.transaction.trx
        const provider = providerFor(app)
        const { orderId, paymentMethod } = context.data
        if (!provider.supports(paymentMethod)) {
          const accepted = provider.acceptedMethods?.length
            ? `: use one of ${provider.acceptedMethods.join(', ')}`
            : ''
          throw invalid(
            'paymentMethod',
            `is not accepted by the ${provider.name} payment provider${accepted}`
          )
        }
        const order = await trx('orders').where({ id: orderId }).forUpdate().first()
        if (!order || !mayGetOrder(context, order)) {
          throw new NotFound(`No order found for orderId ${orderId}`, { field: 'orderId' })
        }
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
        // Recorded as pending first, so the provider gets our payment id as its reference. The owner follows
        // the order (userId is derived in payments.yaml).
        context.data = {
          ...context.data,
          provider: provider.name,
          status: 'pending',
          amountCents: order.totalCents,
          currency: order.currency,
          capturedCents: 0,
          refundedCents: 0
        }
        await next()
        const pending = context.result
        const answer = await askProvider(() => charge(provider, pending))
        const [payment] = await trx('payments')
          .where({ id: pending.id })
          .update({
            status: answer.status,
            providerRef: answer.providerRef,
            capturedCents: answer.status === 'captured' ? pending.amountCents : 0,
            failureReason: answer.failureReason ?? null
          })
          .returning('*')
        context.result = payment
        if (payment.status === 'captured') await payOrder(app, payment, params)
      }
    ]
  }
}

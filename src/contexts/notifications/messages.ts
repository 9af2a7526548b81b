import { CURRENCY_DIGITS, type Currency } from '../../generated/vocabularies'
import type { Order, Payment } from '../../generated/types'

/** What a customer is told: a line for a list, a sentence or two for the details. */
export interface Message {
  title: string
  body: string
}

/**
 * Minor units as a customer reads them: 5000 USD → $50.00, 150000 KRW → ₩150,000. One fixed locale, so the stored
 * text is the same on every server; the digits come from the declared vocabulary (src/contexts/_vocabularies.yaml).
 */
export const money = (cents: number, currency: string | null | undefined) => {
  if (!currency) return `${cents}`
  const digits = CURRENCY_DIGITS[currency as Currency] ?? 2
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits
  }).format(cents / 10 ** digits)
}

type OrderEvent = Pick<Order, 'id' | 'totalCents' | 'currency' | 'refundedCents' | 'cancelReason'>
type PaymentEvent = Pick<Payment, 'orderId' | 'amountCents' | 'currency' | 'failureReason'>

const total = (order: OrderEvent) => money(order.totalCents, order.currency)

/** Why it was cancelled decides what the customer is told: their own click, the shop, or the clock. */
const cancelled = (order: OrderEvent): Message => {
  const which = `order #${order.id} (${total(order)})`
  switch (order.cancelReason) {
    case 'expired':
      return {
        title: `Order #${order.id} expired`,
        body:
          `Your ${which} was cancelled because it was not paid in time. ` +
          'The items are no longer reserved for you; you can order them again.'
      }
    case 'customer':
      return { title: `Order #${order.id} cancelled`, body: `You cancelled your ${which}.` }
    case 'admin':
      return {
        title: `Order #${order.id} cancelled by the shop`,
        body: `The shop cancelled your ${which}. If you paid for it, you will be refunded in full.`
      }
    default:
      return { title: `Order #${order.id} cancelled`, body: `Your ${which} was cancelled.` }
  }
}

/** The message of each order event a customer is told about, by event type. */
export const orderMessages: Record<string, (order: OrderEvent) => Message> = {
  'orders.paid': (order) => ({
    title: `Payment received for order #${order.id}`,
    body: `We received your payment of ${total(order)} for order #${order.id}. We will tell you when it ships.`
  }),
  'orders.shipped': (order) => ({
    title: `Order #${order.id} has shipped`,
    body: `Your order #${order.id} (${total(order)}) is on its way.`
  }),
  'orders.delivered': (order) => ({
    title: `Order #${order.id} was delivered`,
    body: `Your order #${order.id} (${total(order)}) was delivered. Thank you for shopping with us.`
  }),
  'orders.cancelled': cancelled,
  'orders.refunded': (order) => ({
    title: `Order #${order.id} refunded`,
    body: `We refunded ${money(order.refundedCents, order.currency)} for your order #${order.id}.`
  }),
  'orders.partially_refunded': (order) => ({
    title: `Partial refund for order #${order.id}`,
    body:
      `We refunded part of your order #${order.id}: ` +
      `${money(order.refundedCents, order.currency)} of ${total(order)} so far.`
  })
}

/** The message of each payment event a customer is told about. */
export const paymentMessages: Record<string, (payment: PaymentEvent) => Message> = {
  'payments.failed': (payment) => ({
    title: `Payment for order #${payment.orderId} failed`,
    body:
      `Your payment of ${money(payment.amountCents, payment.currency)} for order #${payment.orderId} ` +
      `did not go through${payment.failureReason ? ` (${payment.failureReason})` : ''}. ` +
      'The order is still waiting for payment: you can try again, with another method if you like.'
  })
}

// A compile-time test, checked by `npm run typecheck` (never run): the server's `app.service(path)` is typed by
// the generated types (src/generated/services.ts). Each @ts-expect-error line must stay an error; should the
// services fall back to `any`, tsc reports the directive as unused and the type check fails.
import type { Application } from '../../../src/declarations'
import type { Currency, Order, OrderItem, Payment } from '../../../src/generated/types'
import type { Records } from '../../../src/engine/runtime/records'
import { CURRENCIES, CURRENCY_DIGITS } from '../../../src/generated/vocabularies'

export const typedServices = async (app: Application) => {
  const orders = app.service('orders')
  const order: Order = await orders.get(1)
  const page = await orders.find({ query: { userId: order.userId } })
  const first: Order | undefined = page.data[0]
  const all: Order[] = await orders.find({ paginate: false })
  const lines: OrderItem[] = (await app.service('order-items').find()).data
  await orders.patch(order.id, { status: 'cancelled' })
  await app.service('payments').patch(1, { status: 'captured', capturedCents: 100 })
  // @ts-expect-error not a declared status
  await orders.patch(order.id, { status: 'lost' })
  // @ts-expect-error not a field of orders
  await orders.patch(order.id, { colour: 'red' })
  // @ts-expect-error an order's total is a number
  await orders.patch(order.id, { totalCents: '12' })
  // @ts-expect-error a product needs its required fields
  await app.service('products').create({ name: 'Lamp' })
  const user = await app.service('users').get(1)
  const items = await app.service('order-items').find()
  const read: unknown[] = [first, all, lines]
  // @ts-expect-error the record has no such field
  read.push(order.colour)
  // @ts-expect-error hidden fields are not part of the record
  read.push(user.password)
  // @ts-expect-error order-items are paginated: find answers a page, not an array
  read.push(items.length)
  // @ts-expect-error no such service
  read.push(app.service('spaceships'))
  return read
}

export const vocabularies = () => {
  const currency: Currency = CURRENCIES[0]
  const digits: number = CURRENCY_DIGITS[currency]
  // @ts-expect-error not a declared currency
  const other: Currency = 'GBP'
  return [digits, other]
}

/** A command's steps write through `records`, typed by the same map. */
export const typedRecords = async (records: Records) => {
  const payment: Payment = await records.patch('payments', 1, { refundedCents: 100 })
  await records.create('refunds', { paymentId: payment.id, amountCents: 100, reason: 'test' })
  // @ts-expect-error not a field of payments
  await records.patch('payments', 1, { refundCents: 100 })
  // @ts-expect-error a refund needs its reason
  await records.create('refunds', { paymentId: 1, amountCents: 100 })
  // @ts-expect-error not a declared resource
  await records.get('authentication', 1)
  return payment
}

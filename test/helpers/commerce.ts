import assert from 'node:assert/strict'
import { api, unique, userWithRoles, type TestUser } from './server'

/** An active product with `stock` received through the inventory ledger, created by an admin. */
export const stockedProduct = async (
  admin: TestUser,
  {
    stock,
    priceCents = 1000,
    currency = 'USD',
    status = 'active'
  }: { stock: number; priceCents?: number; currency?: string; status?: string }
) => {
  const product = await api('POST', '/products', {
    token: admin.token,
    body: { sku: unique('P'), name: `Product ${unique()}`, priceCents, currency, status }
  })
  assert.equal(product.status, 201, JSON.stringify(product.body))
  if (stock) {
    const receipt = await api('POST', '/inventory', {
      token: admin.token,
      body: { productId: product.body.id, kind: 'receive', quantity: stock, reason: 'test stock' }
    })
    assert.equal(receipt.status, 201, JSON.stringify(receipt.body))
  }
  return product.body
}

// Orders are real: an active product priced at the wanted total (one per price), with stock, ordered once.
// A fresh admin every 10 minutes: access tokens last 15 (a whole suite takes longer).
let staff: { user: Promise<TestUser>; since: number } | undefined
const staffUser = () => {
  if (!staff || Date.now() - staff.since > 10 * 60_000)
    staff = { user: userWithRoles(['admin']), since: Date.now() }
  return staff.user
}
const productsByPrice = new Map<string, Promise<number>>()
const productPriced = (priceCents: number, currency = 'USD') => {
  const key = `${priceCents} ${currency}`
  if (!productsByPrice.has(key)) {
    productsByPrice.set(
      key,
      (async () => {
        const admin = await staffUser()
        return (await stockedProduct(admin, { stock: 100_000, priceCents, currency })).id as number
      })()
    )
  }
  return productsByPrice.get(key)!
}

/** Where test orders go: an order is paid and shipped only with an address (orders.yaml `requires`). */
export const SHIPPING_ADDRESS = { line1: '1 Test Street', city: 'Seoul', country: 'KR' }

/** A pending order of `totalCents` (minor units of `currency`) placed by `user` through POST /orders. */
export const pendingOrder = async (user: TestUser, totalCents = 5000, currency = 'USD') => {
  const productId = await productPriced(totalCents, currency)
  const { status, body } = await api('POST', '/orders', {
    token: user.token,
    body: { items: [{ productId, quantity: 1 }], shippingAddress: SHIPPING_ADDRESS }
  })
  assert.equal(status, 201, JSON.stringify(body))
  assert.equal(body.totalCents, totalCents)
  assert.equal(body.currency, currency)
  assert.equal(body.status, 'pending')
  return body
}

/** A paid order and its captured payment. */
export const capturedPayment = async (user: TestUser, totalCents = 5000) => {
  const order = await pendingOrder(user, totalCents)
  const { status, body } = await api('POST', '/payments', {
    token: user.token,
    body: { orderId: order.id, paymentMethod: 'sim_succeed' }
  })
  assert.equal(status, 201, JSON.stringify(body))
  assert.equal(body.status, 'captured')
  return { order, payment: body }
}

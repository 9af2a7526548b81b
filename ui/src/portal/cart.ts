import { useEffect, useState } from 'preact/hooks'
import type { Product } from '../lib/client'

/**
 * The cart lives in this browser's localStorage (shared by its tabs, kept across logins). Each line keeps what
 * the shop showed when it was added (name, price) for display only: the server prices the order itself.
 */
export interface CartLine {
  productId: number
  quantity: number
  name: string
  priceCents: number
  currency: string
}

const KEY = 'portal-cart'
export const MAX_QUANTITY = 1000

const listeners = new Set<(lines: CartLine[]) => void>()

const valid = (line: any): line is CartLine =>
  !!line &&
  Number.isInteger(line.productId) &&
  line.productId > 0 &&
  Number.isInteger(line.quantity) &&
  line.quantity > 0 &&
  typeof line.name === 'string' &&
  Number.isInteger(line.priceCents) &&
  typeof line.currency === 'string'

export const readCart = (): CartLine[] => {
  try {
    const parsed = JSON.parse(localStorage.getItem(KEY) ?? '[]')
    return Array.isArray(parsed) ? parsed.filter(valid) : []
  } catch {
    return []
  }
}

const write = (lines: CartLine[]) => {
  if (lines.length) localStorage.setItem(KEY, JSON.stringify(lines))
  else localStorage.removeItem(KEY)
  for (const listener of listeners) listener(lines)
}

const clamp = (quantity: number) => Math.min(MAX_QUANTITY, Math.max(1, Math.floor(quantity)))

export const addToCart = (product: Product, quantity = 1) => {
  const lines = readCart()
  const line = lines.find((candidate) => candidate.productId === product.id)
  const snapshot = { name: product.name, priceCents: product.priceCents, currency: product.currency }
  if (line) Object.assign(line, snapshot, { quantity: clamp(line.quantity + quantity) })
  else lines.push({ productId: product.id, quantity: clamp(quantity), ...snapshot })
  write(lines)
}

export const setQuantity = (productId: number, quantity: number) => {
  if (!Number.isFinite(quantity)) return
  write(
    readCart().map((line) => (line.productId === productId ? { ...line, quantity: clamp(quantity) } : line))
  )
}

/** Updates the shown name and price from the product as the server has it now. */
export const refreshLine = (product: Product) => {
  const lines = readCart()
  const line = lines.find((candidate) => candidate.productId === product.id)
  if (
    !line ||
    (line.name === product.name &&
      line.priceCents === product.priceCents &&
      line.currency === product.currency)
  )
    return
  Object.assign(line, { name: product.name, priceCents: product.priceCents, currency: product.currency })
  write(lines)
}

export const removeFromCart = (productId: number) =>
  write(readCart().filter((line) => line.productId !== productId))

export const clearCart = () => write([])

/** Totals per currency (an order takes one currency: the server refuses mixed carts). */
export const cartTotals = (lines: CartLine[]) => {
  const totals = new Map<string, number>()
  for (const line of lines)
    totals.set(line.currency, (totals.get(line.currency) ?? 0) + line.priceCents * line.quantity)
  return [...totals.entries()]
}

export const useCart = () => {
  const [lines, setLines] = useState<CartLine[]>(readCart)
  useEffect(() => {
    listeners.add(setLines)
    // Another tab changed the cart.
    const storage = (event: StorageEvent) => event.key === KEY && setLines(readCart())
    window.addEventListener('storage', storage)
    return () => {
      listeners.delete(setLines)
      window.removeEventListener('storage', storage)
    }
  }, [])
  return lines
}

import type { Product } from '../../lib/client'
import { money } from '../../lib/format'
import { href } from '../../lib/router'
import {
  cartTotals,
  MAX_QUANTITY,
  refreshLine,
  removeFromCart,
  setQuantity,
  useCart,
  type CartLine
} from '../cart'
import { client, useLoad } from '../state'
import { Empty } from '../ui'

/** What the cart and checkout pages show while the cart is empty. */
export const EmptyCart = ({ title }: { title: string }) => (
  <section>
    <h1>{title}</h1>
    <Empty>
      <p>Your cart is empty.</p>
      <p>
        <a href={href()}>Browse the products</a>
      </p>
    </Empty>
  </section>
)

/** The products of the cart as the server has them now: a line whose product is gone says so. */
export const useCartProducts = (lines: CartLine[]) =>
  useLoad(async () => {
    const found = new Map<number, Product | null>()
    await Promise.all(
      lines.map((line) =>
        client
          .service('products')
          .get(line.productId)
          .then(
            (product) => {
              found.set(line.productId, product)
              refreshLine(product)
            },
            (error) => {
              // 404: gone or no longer active. Other errors: unknown, the order will tell.
              if (error?.code === 404) found.set(line.productId, null)
            }
          )
      )
    )
    return found
  }, [lines.map((line) => line.productId).join()])

/** A line's availability problem, if any: the product is gone or has too little stock. */
export const lineProblem = (line: CartLine, product: Product | null | undefined) => {
  if (product === null) return 'This product is no longer available.'
  if (product && product.stock < line.quantity)
    return product.stock > 0 ? `Only ${product.stock} in stock.` : 'Out of stock.'
  return undefined
}

export const CartTotals = ({ lines }: { lines: CartLine[] }) => {
  const totals = cartTotals(lines)
  return (
    <>
      {totals.map(([currency, cents]) => (
        <p class="total" key={currency}>
          Total{totals.length > 1 ? ` (${currency})` : ''}: <strong>{money(cents, currency)}</strong>
        </p>
      ))}
      {totals.length > 1 && (
        <p class="banner error" role="alert">
          One order takes one currency: order the {totals.map(([currency]) => currency).join(' and ')} items
          separately.
        </p>
      )}
    </>
  )
}

export const CartPage = () => {
  const lines = useCart()
  const products = useCartProducts(lines)

  if (!lines.length) return <EmptyCart title="Your cart" />

  const blocked = lines.some((line) => lineProblem(line, products.data?.get(line.productId)))
  return (
    <section aria-labelledby="cart-title">
      <h1 id="cart-title">Your cart</h1>
      <ul class="cart-lines">
        {lines.map((line) => {
          const problem = lineProblem(line, products.data?.get(line.productId))
          const id = `quantity-${line.productId}`
          return (
            <li key={line.productId} class="card cart-line" data-product-id={line.productId}>
              <div class="cart-line-name">
                <a href={href('products', line.productId)}>{line.name}</a>
                <span class="hint">{money(line.priceCents, line.currency)} each</span>
                {problem && (
                  <span class="error" role="alert">
                    {problem}
                  </span>
                )}
              </div>
              <div class="cart-line-qty">
                <label for={id}>Quantity</label>
                <input
                  id={id}
                  type="number"
                  inputMode="numeric"
                  min={1}
                  max={MAX_QUANTITY}
                  step={1}
                  value={line.quantity}
                  onChange={(event) => setQuantity(line.productId, Number(event.currentTarget.value))}
                />
              </div>
              <div class="cart-line-total">{money(line.priceCents * line.quantity, line.currency)}</div>
              <button
                type="button"
                class="secondary"
                aria-label={`Remove ${line.name}`}
                onClick={() => removeFromCart(line.productId)}
              >
                Remove
              </button>
            </li>
          )
        })}
      </ul>
      <div class="card">
        <CartTotals lines={lines} />
        <p class="hint">Prices are confirmed when you place the order.</p>
        <div class="row">
          {blocked || cartTotals(lines).length > 1 ? (
            <button type="button" disabled>
              Checkout
            </button>
          ) : (
            <a class="button" href={href('checkout')}>
              Checkout
            </a>
          )}
          <a href={href()}>Continue shopping</a>
        </div>
      </div>
    </section>
  )
}

import { useState } from 'preact/hooks'
import { Field, Notice } from '../../lib/components'
import type { Product } from '../../lib/client'
import { money } from '../../lib/format'
import { href } from '../../lib/router'
import { addToCart, MAX_QUANTITY, useCart } from '../cart'
import { client, useLoad, useReconnect, useServiceEvent } from '../state'
import { LoadError, Loading, described } from '../ui'
import { loadCategories, stockLabel } from './products'

export const ProductPage = ({ id }: { id: string }) => {
  const product = useLoad(() => client.service('products').get(id), [id])
  const categories = useLoad(() => loadCategories().catch(() => []), [])
  const cart = useCart()
  const [quantity, setQuantity] = useState('1')
  const [error, setError] = useState<string | undefined>()
  const [added, setAdded] = useState<string | null>(null)

  useServiceEvent<Product>('products', ['patched', 'updated'], (changed) => {
    if (String(changed.id) === id) product.setData((shown) => shown && { ...shown, ...changed })
  })
  useReconnect(product.reload)

  if (product.error)
    return (
      <section>
        <h1>Product</h1>
        <LoadError error={product.error} retry={product.reload} />
        <p>
          <a href={href()}>Back to the products</a>
        </p>
      </section>
    )
  if (!product.data) return <Loading what="Loading the product…" />
  const shown = product.data
  const category = categories.data?.find((candidate) => candidate.id === shown.categoryId)
  const inCart = cart.find((line) => line.productId === shown.id)?.quantity ?? 0
  const most = Math.min(MAX_QUANTITY, shown.stock)

  const add = (event: Event) => {
    event.preventDefault()
    const wanted = Number(quantity)
    if (!Number.isInteger(wanted) || wanted < 1) return setError('must be a whole number of at least 1')
    if (wanted + inCart > most)
      return setError(
        inCart ? `only ${most} available (you have ${inCart} in your cart)` : `only ${most} available`
      )
    setError(undefined)
    addToCart(shown, wanted)
    setAdded(`Added ${wanted} × “${shown.name}” to your cart.`)
  }

  return (
    <article class="product-detail" aria-labelledby="product-title">
      <p class="crumbs">
        <a href={href()}>Products</a>
        {category && (
          <>
            {' › '}
            <a href={`#/?category=${category.id}`}>{category.name}</a>
          </>
        )}
      </p>
      <h1 id="product-title">{shown.name}</h1>
      <div class="card">
        <p class="price big">{money(shown.priceCents, shown.currency)}</p>
        <p class={shown.stock > 0 ? 'stock' : 'stock out'}>{stockLabel(shown)}</p>
        {shown.description ? (
          <p class="description">{shown.description}</p>
        ) : (
          <p class="hint">No description.</p>
        )}
        <p class="hint">SKU {shown.sku}</p>
        {shown.stock > 0 && (
          <form class="add-form" onSubmit={add} noValidate>
            <Field id="quantity" label="Quantity" error={error}>
              <input
                {...described('quantity', error)}
                type="number"
                inputMode="numeric"
                min={1}
                max={most}
                step={1}
                value={quantity}
                onInput={(event) => setQuantity(event.currentTarget.value)}
              />
            </Field>
            <button type="submit">Add to cart</button>
          </form>
        )}
        {inCart > 0 && (
          <p class="hint">
            In your cart: {inCart}. <a href={href('cart')}>Go to the cart</a>
          </p>
        )}
        {added && <Notice>{added}</Notice>}
      </div>
    </article>
  )
}

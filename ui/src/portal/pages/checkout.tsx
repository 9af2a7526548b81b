import { useEffect, useState } from 'preact/hooks'
import { ErrorBanner, Field } from '../../lib/components'
import type { Order } from '../../lib/client'
import { formErrors, type FormErrors } from '../../lib/errors'
import { money } from '../../lib/format'
import { href, navigate } from '../../lib/router'
import { validate } from '../../lib/validate'
import { cartTotals, clearCart, useCart } from '../cart'
import { auth, client, resource } from '../state'
import { described } from '../ui'
import { CartTotals, EmptyCart, lineProblem, useCartProducts } from './cart'

const ADDRESS_FIELDS = [
  { name: 'name', label: 'Recipient name', autocomplete: 'name', max: 100, optional: true },
  { name: 'line1', label: 'Address', autocomplete: 'address-line1', max: 200 },
  { name: 'line2', label: 'Address line 2', autocomplete: 'address-line2', max: 200, optional: true },
  { name: 'city', label: 'City', autocomplete: 'address-level2', max: 100 },
  { name: 'postalCode', label: 'Postal code', autocomplete: 'postal-code', max: 20, optional: true },
  {
    name: 'country',
    label: 'Country code',
    autocomplete: 'country',
    max: 2,
    hint: 'Two letters, e.g. KR, US, DE'
  }
] as const

type Address = Record<(typeof ADDRESS_FIELDS)[number]['name'], string>
const EMPTY: Address = { name: '', line1: '', line2: '', city: '', postalCode: '', country: '' }

export const CheckoutPage = () => {
  const lines = useCart()
  const products = useCartProducts(lines)
  const [address, setAddress] = useState<Address>(EMPTY)
  const [note, setNote] = useState('')
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)

  // Start from the address of the last order.
  useEffect(() => {
    const user = auth.user
    if (!user) return
    client
      .service('orders')
      .find({ query: { userId: user.id, $sort: { createdAt: -1 }, $limit: 1 } })
      .then((page) => {
        const last = page.data[0]?.shippingAddress
        if (last) setAddress((current) => (current === EMPTY ? { ...EMPTY, ...last } : current))
      })
      .catch(() => undefined)
  }, [])

  if (!lines.length) return <EmptyCart title="Checkout" />

  const submit = async (event: Event) => {
    event.preventDefault()
    if (busy) return
    const shippingAddress = Object.fromEntries(
      Object.entries(address)
        .map(([key, value]) => [key, key === 'country' ? value.trim().toUpperCase() : value.trim()])
        .filter(([, value]) => value !== '')
    )
    const body = {
      items: lines.map(({ productId, quantity }) => ({ productId, quantity })),
      shippingAddress,
      ...(note.trim() && { note: note.trim() })
    }
    const schema = (await resource('orders').catch(() => undefined))?.schemas.data
    const invalid = schema && validate(schema, body)
    if (invalid) {
      // `shippingAddress` may also be null (the other branch of its anyOf): the address's own rules say more.
      if (Object.keys(invalid.fields).some((field) => field.startsWith('shippingAddress.')))
        delete invalid.fields.shippingAddress
      return setErrors(invalid)
    }
    if (cartTotals(lines).length > 1)
      return setErrors({ message: 'One order takes one currency.', fields: {} })
    setBusy(true)
    setErrors(null)
    try {
      const order = (await client.service('orders').create(body as any)) as unknown as Order
      clearCart()
      navigate('orders', order.id)
    } catch (error) {
      setErrors(formErrors(error))
      setBusy(false)
    }
  }

  // A field's error goes when the field changes; the next submit checks again.
  const forget = (field: string) =>
    setErrors((current) => {
      if (!current?.fields[field]) return current
      const fields = { ...current.fields }
      delete fields[field]
      return { ...current, fields }
    })
  const fieldError = (name: string) => errors?.fields[`shippingAddress.${name}`]
  const lineError = (index: number) =>
    errors?.fields[`items.${index}.productId`] ?? errors?.fields[`items.${index}.quantity`]
  const shownFields = [
    ...ADDRESS_FIELDS.map((field) => `shippingAddress.${field.name}`),
    ...lines.flatMap((_, index) => [`items.${index}.productId`, `items.${index}.quantity`]),
    'note'
  ]

  return (
    <section aria-labelledby="checkout-title">
      <h1 id="checkout-title">Checkout</h1>
      <form onSubmit={submit} noValidate class="checkout">
        <fieldset class="card">
          <legend>Shipping address</legend>
          {ADDRESS_FIELDS.map((field) => {
            const id = `address-${field.name}`
            const hint = 'hint' in field ? field.hint : undefined
            return (
              <Field
                key={field.name}
                id={id}
                label={'optional' in field ? `${field.label} (optional)` : field.label}
                error={fieldError(field.name)}
                hint={hint}
              >
                <input
                  {...described(id, fieldError(field.name), hint)}
                  autocomplete={`shipping ${field.autocomplete}`}
                  maxLength={field.max}
                  required={!('optional' in field)}
                  class={field.name === 'country' ? 'short' : undefined}
                  value={address[field.name]}
                  onInput={(event) => {
                    setAddress({ ...address, [field.name]: event.currentTarget.value })
                    forget(`shippingAddress.${field.name}`)
                  }}
                />
              </Field>
            )
          })}
          <Field id="note" label="Note for the shop (optional)" error={errors?.fields.note}>
            <textarea
              {...described('note', errors?.fields.note)}
              maxLength={500}
              rows={3}
              value={note}
              onInput={(event) => setNote(event.currentTarget.value)}
            />
          </Field>
        </fieldset>
        <div class="checkout-side">
          <div class="card">
            <h2>Your order</h2>
            <ul class="summary">
              {lines.map((line, index) => {
                const problem = lineError(index) ?? lineProblem(line, products.data?.get(line.productId))
                return (
                  <li key={line.productId}>
                    <span>
                      {line.quantity} × <a href={href('products', line.productId)}>{line.name}</a>
                    </span>
                    <span>{money(line.priceCents * line.quantity, line.currency)}</span>
                    {problem && (
                      <span class="error line-error" role="alert">
                        {problem}
                      </span>
                    )}
                  </li>
                )
              })}
            </ul>
            <CartTotals lines={lines} />
            <p>
              <a href={href('cart')}>Change the cart</a>
            </p>
          </div>
          <ErrorBanner errors={errors} shown={shownFields} />
          <button type="submit" disabled={busy}>
            {busy ? 'Placing the order…' : 'Place order'}
          </button>
        </div>
      </form>
    </section>
  )
}

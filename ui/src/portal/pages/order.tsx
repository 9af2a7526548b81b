import { useState } from 'preact/hooks'
import type { OrderHistory, Payment } from '../../lib/client'
import { ErrorBanner, Notice, StatusBadge } from '../../lib/components'
import { loadDeclarations } from '../../lib/declarations'
import { formErrors, type FormErrors } from '../../lib/errors'
import { dateTime, label, money } from '../../lib/format'
import { href } from '../../lib/router'
import { client, useLoad, useReconnect, useServiceEvent } from '../state'
import { LoadError, Loading } from '../ui'
import type { OrderWithItems } from './orders'

/** What the simulated provider's test methods do; a real provider's methods show by name only. */
const METHOD_HINTS: Record<string, string> = {
  sim_succeed: 'Simulated card: paid at once',
  sim_fail: 'Simulated card: declined',
  sim_async: 'Simulated bank transfer: confirmed later',
  sim_timeout: 'Simulated card, slow provider: paid, confirmed within a minute'
}

/** A payment still open or done: the order cannot be paid again meanwhile. */
const BLOCKING = new Set(['pending', 'authorized', 'captured'])

/** Who made a status change, as the customer understands it. */
const actor = (entry: OrderHistory, ownerId: number) =>
  entry.actorId === null ? 'by the payment system' : entry.actorId === ownerId ? 'by you' : 'by the shop'

const newestFirst = (payments: Payment[]) =>
  [...payments].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id)

const PaymentResult = ({ payment }: { payment: Payment }) =>
  payment.status === 'captured' ? (
    <Notice>Payment received: {money(payment.capturedCents, payment.currency)}. Thank you!</Notice>
  ) : payment.status === 'failed' ? (
    <div class="banner error" role="alert">
      The payment failed{payment.failureReason ? `: ${payment.failureReason}` : '.'} You can try another
      method.
    </div>
  ) : payment.status === 'pending' || payment.status === 'authorized' ? (
    <Notice>The payment is pending: the provider confirms it later. This page updates by itself.</Notice>
  ) : (
    <Notice>The payment is {label(payment.status)}.</Notice>
  )

const PayForm = ({ order, paid }: { order: OrderWithItems; paid: (payment: Payment) => void }) => {
  const methods = useLoad(async () => (await loadDeclarations()).payments.methods, [])
  const [method, setMethod] = useState('')
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  if (methods.error) return <LoadError error={methods.error} retry={methods.reload} />
  if (!methods.data) return <Loading what="Loading payment methods…" />
  const chosen = method || methods.data[0]

  const pay = async (event: Event) => {
    event.preventDefault()
    if (busy || !chosen) return
    setBusy(true)
    setErrors(null)
    try {
      paid(await client.service('payments').create({ orderId: order.id, paymentMethod: chosen }))
    } catch (error) {
      setErrors(formErrors(error))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form class="pay-form" onSubmit={pay}>
      <fieldset>
        <legend>Pay {money(order.totalCents, order.currency)} with</legend>
        {methods.data.map((name) => (
          <label key={name} class="choice">
            <input
              type="radio"
              name="paymentMethod"
              value={name}
              checked={chosen === name}
              onChange={() => setMethod(name)}
            />
            <span>
              <span class="method">{name}</span>
              {METHOD_HINTS[name] && <span class="hint"> — {METHOD_HINTS[name]}</span>}
            </span>
          </label>
        ))}
      </fieldset>
      <ErrorBanner errors={errors} />
      <button type="submit" disabled={busy || !chosen}>
        {busy ? 'Paying…' : 'Pay now'}
      </button>
    </form>
  )
}

const CancelButton = ({
  order,
  cancelled
}: {
  order: OrderWithItems
  cancelled: (order: OrderWithItems) => void
}) => {
  const [asking, setAsking] = useState(false)
  const [busy, setBusy] = useState(false)
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const cancel = async () => {
    setBusy(true)
    setErrors(null)
    try {
      cancelled((await client.service('orders').patch(order.id, { status: 'cancelled' })) as OrderWithItems)
      setAsking(false)
    } catch (error) {
      setErrors(formErrors(error))
    } finally {
      setBusy(false)
    }
  }
  return (
    <div class="cancel">
      {asking ? (
        <div class="row" role="group" aria-label="Confirm the cancellation">
          <span>Cancel this order and release its items?</span>
          <button type="button" class="danger" disabled={busy} onClick={cancel}>
            Yes, cancel the order
          </button>
          <button type="button" class="secondary" disabled={busy} onClick={() => setAsking(false)}>
            Keep it
          </button>
        </div>
      ) : (
        <button type="button" class="secondary" onClick={() => setAsking(true)}>
          Cancel order
        </button>
      )}
      <ErrorBanner errors={errors} />
    </div>
  )
}

export const OrderPage = ({ id }: { id: string }) => {
  const order = useLoad(() => client.service('orders').get(id) as Promise<OrderWithItems>, [id])
  const orderId = order.data?.id
  const history = useLoad(
    async () =>
      orderId
        ? (
            await client
              .service('order-history')
              .find({ query: { orderId, $sort: { createdAt: 1 }, $limit: 200 } })
          ).data
        : [],
    [orderId]
  )
  const payments = useLoad(
    async () =>
      orderId
        ? newestFirst(
            (
              await client
                .service('payments')
                .find({ query: { orderId, $sort: { createdAt: -1 }, $limit: 100 } })
            ).data
          )
        : [],
    [orderId]
  )
  const [result, setResult] = useState<Payment | null>(null)

  const upsertPayment = (payment: Payment) => {
    payments.setData((shown = []) =>
      newestFirst([...shown.filter((candidate) => candidate.id !== payment.id), payment])
    )
    setResult((current) => (current?.id === payment.id ? payment : current))
  }

  // Live: the order's status (and with it the history) and its payments change on the server.
  useServiceEvent<OrderWithItems>('orders', ['patched', 'updated'], (changed) => {
    if (changed.id !== orderId) return
    order.setData((shown) => shown && { ...shown, ...changed, items: changed.items ?? shown.items })
    history.reload()
  })
  useServiceEvent<Payment>('payments', ['created', 'patched', 'updated'], (payment) => {
    if (payment.orderId === orderId) upsertPayment(payment)
  })
  useReconnect(() => {
    order.reload()
    history.reload()
    payments.reload()
  })

  if (order.error)
    return (
      <section>
        <h1>Order</h1>
        <LoadError error={order.error} retry={order.reload} />
        <p>
          <a href={href('orders')}>Back to your orders</a>
        </p>
      </section>
    )
  if (!order.data) return <Loading what="Loading the order…" />

  const shown = order.data
  const latest = payments.data?.[0]
  const canPay =
    shown.status === 'pending' && payments.data && !payments.data.some((p) => BLOCKING.has(p.status))
  const address = shown.shippingAddress

  return (
    <article aria-labelledby="order-title" class="order-detail">
      <p class="crumbs">
        <a href={href('orders')}>Your orders</a>
      </p>
      <h1 id="order-title">Order #{shown.id}</h1>
      <div class="card order-summary">
        <p data-testid="order-status" aria-live="polite">
          Status: <StatusBadge status={shown.status} />
        </p>
        <p>
          Placed {dateTime(shown.createdAt)} · Total{' '}
          <strong>{money(shown.totalCents, shown.currency)}</strong>
          {shown.refundedCents > 0 && <> · Refunded {money(shown.refundedCents, shown.currency)}</>}
        </p>
        {shown.status === 'pending' && (
          <CancelButton
            order={shown}
            cancelled={(next) => order.setData((current) => current && { ...current, ...next })}
          />
        )}
      </div>

      <section class="card" aria-labelledby="payment-title">
        <h2 id="payment-title">Payment</h2>
        <p data-testid="payment-status" aria-live="polite">
          {payments.error ? (
            'Could not load the payments.'
          ) : !payments.data ? (
            'Loading…'
          ) : latest ? (
            <>
              Latest payment: <StatusBadge status={latest.status} /> {latest.paymentMethod}
              {latest.status === 'failed' && latest.failureReason && (
                <span class="error"> — {latest.failureReason}</span>
              )}
            </>
          ) : (
            'Not paid yet.'
          )}
        </p>
        {result && <PaymentResult payment={result} />}
        {canPay && (
          <PayForm
            order={shown}
            paid={(payment) => {
              setResult(payment)
              upsertPayment(payment)
              // The `orders patched` event normally brings the new status; ask too in case it came first.
              order.reload()
            }}
          />
        )}
        {payments.data && payments.data.length > 0 && (
          <>
            <h3 class="subhead">Payment attempts</h3>
            <ul class="attempts">
              {payments.data.map((payment) => (
                <li key={payment.id} data-payment-id={payment.id}>
                  <span class="hint">{dateTime(payment.createdAt)}</span>
                  <span class="method">{payment.paymentMethod}</span>
                  <StatusBadge status={payment.status} />
                  <span class="amount">{money(payment.amountCents, payment.currency)}</span>
                  {payment.failureReason && <span class="hint reason">{payment.failureReason}</span>}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>

      <section class="card" aria-labelledby="items-title">
        <h2 id="items-title">Items</h2>
        <ul class="lines items">
          {(shown.items ?? []).map((item) => (
            <li key={item.id}>
              <span class="line-name">
                <a href={href('products', item.productId)}>{item.name}</a>
                <span class="hint">{item.sku}</span>
              </span>
              <span class="line-qty">
                {item.quantity} × {money(item.unitPriceCents, shown.currency)}
              </span>
              <span class="line-total">{money(item.lineTotalCents, shown.currency)}</span>
            </li>
          ))}
        </ul>
        <p class="total order-total-line">
          Total <strong>{money(shown.totalCents, shown.currency)}</strong>
        </p>
      </section>

      {(address || shown.note) && (
        <section class="card" aria-labelledby="shipping-title">
          <h2 id="shipping-title">Shipping</h2>
          {address && (
            <address>
              {[
                address.name,
                address.line1,
                address.line2,
                [address.postalCode, address.city].filter(Boolean).join(' '),
                address.country
              ]
                .filter(Boolean)
                .map((line, index) => (
                  <div key={index}>{line}</div>
                ))}
            </address>
          )}
          {shown.note && <p class="note">Note: {shown.note}</p>}
        </section>
      )}

      <section class="card" aria-labelledby="history-title">
        <h2 id="history-title">Status history</h2>
        {history.error ? (
          <LoadError error={history.error} retry={history.reload} />
        ) : !history.data ? (
          <Loading />
        ) : (
          <ol class="history">
            {history.data.length === 0 && (
              <li>
                <span class="hint">{dateTime(shown.createdAt)}</span> Placed
              </li>
            )}
            {history.data.map((entry: OrderHistory) => (
              <li key={entry.id}>
                <span class="hint">{dateTime(entry.createdAt)}</span>{' '}
                {entry.fromStatus ? <>{label(entry.fromStatus)} → </> : 'Placed: '}
                <StatusBadge status={entry.toStatus} />
                <span class="hint"> {actor(entry, shown.userId)}</span>
                {entry.reason && <span class="hint"> ({entry.reason})</span>}
              </li>
            ))}
          </ol>
        )}
      </section>
    </article>
  )
}

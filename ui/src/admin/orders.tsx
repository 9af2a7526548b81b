import { useState } from 'preact/hooks'
import { ErrorBanner, Field, Notice } from '../lib/components'
import { formErrors, type FormErrors } from '../lib/errors'
import { money } from '../lib/format'
import { href } from '../lib/router'
import { validate } from '../lib/validate'
import { useAdmin } from './context'
import { fieldError } from './form'
import { allowed, findResource, service, type AnyRecord } from './model'
import { RelatedTable } from './related'

const OrderItems = ({ order }: { order: AnyRecord }) => {
  const items: AnyRecord[] = Array.isArray(order.items) ? order.items : []
  return (
    <section class="card" aria-labelledby="items-title">
      <h2 id="items-title">Items</h2>
      {items.length === 0 ? (
        <p class="empty">No items.</p>
      ) : (
        <div class="table-scroll" role="region" tabIndex={0} aria-label="Items">
          <table class="records" data-resource="order-items">
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">SKU</th>
                <th scope="col">Name</th>
                <th scope="col">Quantity</th>
                <th scope="col">Unit price</th>
                <th scope="col">Line total</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item, index) => (
                <tr key={item.id ?? index}>
                  <td>
                    <a href={href('r', 'products', item.productId)}>#{item.productId}</a>
                  </td>
                  <td>{String(item.sku ?? '')}</td>
                  <td>{String(item.name ?? '')}</td>
                  <td>{String(item.quantity ?? '')}</td>
                  <td>{money(item.unitPriceCents, order.currency)}</td>
                  <td>{money(item.lineTotalCents, order.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p>
        Total <strong>{money(order.totalCents, order.currency)}</strong>
        {order.refundedCents > 0 && <> · refunded {money(order.refundedCents, order.currency)}</>}
      </p>
    </section>
  )
}

/** What is left to refund of a payment, in its minor units. */
export const refundable = (payment: AnyRecord) =>
  payment.status === 'captured' ? Math.max(0, (payment.capturedCents ?? 0) - (payment.refundedCents ?? 0)) : 0

/**
 * A refund of part or all of a captured payment (`POST /refunds {paymentId, amountCents, reason}`), showing what
 * is left to refund; checked with the refunds schema and against that amount before sending.
 */
export const RefundForm = ({ payment, onRefunded }: { payment: AnyRecord; onRefunded: () => void }) => {
  const { client, model, roles } = useAdmin()
  const refunds = findResource(model, 'refunds')
  const [amount, setAmount] = useState('')
  const [reason, setReason] = useState('')
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [done, setDone] = useState('')
  const [busy, setBusy] = useState(false)
  const left = refundable(payment)
  if (!refunds || !allowed(refunds, 'create', roles) || payment.status !== 'captured') return null
  const id = `refund-${payment.id}`

  const submit = async (event: Event) => {
    event.preventDefault()
    setDone('')
    const body: AnyRecord = { paymentId: payment.id, reason }
    if (amount.trim() !== '') body.amountCents = Number(amount)
    const invalid = validate(refunds.schemas.data, body)
    const fields = { ...(invalid?.fields ?? {}) }
    if (!fields.amountCents && typeof body.amountCents === 'number' && body.amountCents > left)
      fields.amountCents = `must be at most ${left} (${money(left, payment.currency)} left to refund)`
    if (Object.keys(fields).length) return setErrors({ message: 'Please correct the marked fields', fields })
    setBusy(true)
    setErrors(null)
    try {
      const refund = await service(client, refunds.path).create(body)
      // Given back by the provider after the refund was recorded: it may still be pending, or refused.
      const amount = money(refund.amountCents, refund.currency)
      setDone(
        refund.status === 'succeeded'
          ? `Refunded ${amount} (refund #${refund.id})`
          : refund.status === 'failed'
            ? `The provider refused refund #${refund.id} of ${amount}: ${refund.failureReason ?? 'no reason given'}`
            : `Refund #${refund.id} of ${amount} is pending: the provider confirms it shortly`
      )
      setAmount('')
      setReason('')
      onRefunded()
    } catch (failure) {
      setErrors(formErrors(failure))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form
      class="card refund-form"
      onSubmit={submit}
      noValidate
      aria-labelledby={`${id}-title`}
      data-payment={payment.id}
    >
      <h3 id={`${id}-title`}>Refund payment #{payment.id}</h3>
      <p class="refundable" data-refundable={left}>
        Left to refund: <strong>{money(left, payment.currency)}</strong>{' '}
        <span class="muted">
          ({left} of {payment.capturedCents} captured, in minor units)
        </span>
      </p>
      {done && <Notice>{done}</Notice>}
      <ErrorBanner errors={errors} shown={['amountCents', 'reason']} />
      {left > 0 ? (
        <>
          <Field
            id={`${id}-amount`}
            label="Amount (minor units) *"
            hint={`e.g. 1500 = ${money(1500, payment.currency)}`}
            error={fieldError(errors, 'amountCents')}
          >
            <input
              id={`${id}-amount`}
              type="number"
              min={1}
              max={left}
              step={1}
              value={amount}
              aria-invalid={fieldError(errors, 'amountCents') ? 'true' : undefined}
              aria-describedby={`${id}-amount-hint${fieldError(errors, 'amountCents') ? ` ${id}-amount-error` : ''}`}
              onInput={(event) => setAmount(event.currentTarget.value)}
            />
          </Field>
          <Field id={`${id}-reason`} label="Reason *" error={fieldError(errors, 'reason')}>
            <input
              id={`${id}-reason`}
              type="text"
              maxLength={500}
              value={reason}
              aria-invalid={fieldError(errors, 'reason') ? 'true' : undefined}
              aria-describedby={fieldError(errors, 'reason') ? `${id}-reason-error` : undefined}
              onInput={(event) => setReason(event.currentTarget.value)}
            />
          </Field>
          <button type="submit" disabled={busy}>
            {busy ? 'Refunding…' : 'Refund'}
          </button>
        </>
      ) : (
        <p class="muted">Nothing is left to refund.</p>
      )}
    </form>
  )
}

/** On an order: its items, payments (with refunds), refunds and history. */
export const OrderPanel = ({ order, reload }: { order: AnyRecord; reload: () => Promise<void> }) => {
  const [key, setKey] = useState(0)
  const [payments, setPayments] = useState<AnyRecord[]>([])
  const refreshAll = () => {
    setKey((value) => value + 1)
    void reload()
  }
  return (
    <>
      <OrderItems order={order} />
      <RelatedTable
        name="payments"
        title="Payments"
        query={{ orderId: order.id }}
        columns={[
          'id',
          'status',
          'paymentMethod',
          'amountCents',
          'capturedCents',
          'refundedCents',
          'createdAt'
        ]}
        reloadKey={key + (order.version ?? 0)}
        onLoaded={setPayments}
      />
      {payments
        .filter((payment) => payment.status === 'captured')
        .map((payment) => (
          <RefundForm key={payment.id} payment={payment} onRefunded={refreshAll} />
        ))}
      <RelatedTable
        name="refunds"
        title="Refunds"
        query={{ orderId: order.id }}
        columns={['id', 'paymentId', 'amountCents', 'reason', 'createdBy', 'createdAt']}
        reloadKey={key + (order.version ?? 0)}
      />
      <RelatedTable
        name="order-history"
        title="History"
        query={{ orderId: order.id, $sort: { createdAt: 1 } }}
        columns={['transition', 'fromStatus', 'toStatus', 'actorId', 'reason', 'createdAt']}
        reloadKey={key + (order.version ?? 0)}
      />
    </>
  )
}

/** On a payment: the refund form and the payment's refunds. */
export const PaymentPanel = ({ payment, reload }: { payment: AnyRecord; reload: () => Promise<void> }) => {
  const [key, setKey] = useState(0)
  return (
    <>
      <RefundForm
        payment={payment}
        onRefunded={() => {
          setKey((value) => value + 1)
          void reload()
        }}
      />
      <RelatedTable
        name="refunds"
        title="Refunds"
        query={{ paymentId: payment.id }}
        columns={['id', 'amountCents', 'reason', 'createdBy', 'createdAt']}
        reloadKey={key + (payment.version ?? 0)}
      />
    </>
  )
}

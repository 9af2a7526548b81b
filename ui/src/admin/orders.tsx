import { useState } from 'preact/hooks'
import { ErrorBanner, Field, Notice, StatusBadge } from '../lib/components'
import { formErrors, type FormErrors } from '../lib/errors'
import { money } from '../lib/format'
import { href } from '../lib/router'
import { validate } from '../lib/validate'
import { useAdmin } from './context'
import { fieldError } from './form'
import { allowed, findResource, humanize, service, type AnyRecord } from './model'
import { RelatedTable } from './related'

/**
 * The transitions a user may request now: declared, from the current state, not the system's, and granted to one
 * of their roles (or to `owner` when the record is theirs). The server checks again and answers 409 otherwise.
 */
export const availableTransitions = (
  states: NonNullable<import('../lib/declarations').ClientResource['states']>,
  current: string,
  roles: string[],
  own: boolean
) =>
  Object.entries(states.transitions).filter(
    ([, transition]) =>
      transition.from.includes(current) &&
      !transition.system &&
      transition.roles.some((role) => roles.includes(role) || (own && role === 'owner'))
  )

/** Buttons for the declared transitions of a record's state; a transition to `cancelled` asks first. */
const Transitions = ({
  order,
  onChange,
  reload
}: {
  order: AnyRecord
  onChange: (order: AnyRecord) => void
  reload: () => Promise<void>
}) => {
  const { client, model, roles, user } = useAdmin()
  const orders = findResource(model, 'orders')!
  const states = orders.states
  const [busy, setBusy] = useState('')
  const [asking, setAsking] = useState('')
  const [error, setError] = useState<FormErrors | null>(null)
  if (!states) return null
  const current = String(order[states.field])
  const transitions = availableTransitions(states, current, roles, order.userId === user.id)
  const run = async (name: string, to: string) => {
    setBusy(name)
    setError(null)
    setAsking('')
    try {
      onChange(await service(client, orders.path).patch(order.id, { [states.field]: to }))
    } catch (failure) {
      // Refused (409: the order changed meanwhile, or the transition is not yours): say why, show it as it is now.
      setError(formErrors(failure))
      void reload()
    } finally {
      setBusy('')
    }
  }
  return (
    <section class="card" aria-labelledby="transitions-title">
      <h2 id="transitions-title">Status</h2>
      <p>
        Now: <StatusBadge status={current} />
      </p>
      <ErrorBanner errors={error} shown={[states.field]} />
      {transitions.length === 0 ? (
        <p class="muted">No status change is open to you from {humanize(current).toLowerCase()}.</p>
      ) : (
        <div class="row transitions">
          {transitions.map(([name, transition]) =>
            asking === name ? (
              <div class="confirm banner error" role="group" aria-labelledby={`ask-${name}`} key={name}>
                <p id={`ask-${name}`}>
                  {humanize(name)}: {current} → {transition.to}?
                  {current !== 'pending' &&
                    transition.to === 'cancelled' &&
                    ' The payment is refunded in full.'}
                </p>
                <div class="row">
                  <button type="button" class="danger" onClick={() => run(name, transition.to)} autoFocus>
                    Yes, {humanize(name).toLowerCase()}
                  </button>
                  <button type="button" class="secondary" onClick={() => setAsking('')}>
                    Keep {current}
                  </button>
                </div>
              </div>
            ) : (
              <button
                type="button"
                key={name}
                data-transition={name}
                class={transition.to === 'cancelled' ? 'danger' : undefined}
                disabled={!!busy}
                onClick={() => (transition.to === 'cancelled' ? setAsking(name) : run(name, transition.to))}
              >
                {busy === name ? 'Working…' : `${humanize(name)} → ${humanize(transition.to).toLowerCase()}`}
              </button>
            )
          )}
        </div>
      )}
    </section>
  )
}

const OrderItems = ({ order }: { order: AnyRecord }) => {
  const items: AnyRecord[] = Array.isArray(order.items) ? order.items : []
  return (
    <section class="card" aria-labelledby="items-title">
      <h2 id="items-title">Items</h2>
      {items.length === 0 ? (
        <p class="empty">No items.</p>
      ) : (
        <div class="table-scroll" tabIndex={0} aria-label="Items">
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
      setDone(`Refunded ${money(refund.amountCents, refund.currency)} (refund #${refund.id})`)
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

/** On an order: its status changes, items, payments (with refunds), refunds and history. */
export const OrderPanel = ({
  order,
  onChange,
  reload
}: {
  order: AnyRecord
  onChange: (order: AnyRecord) => void
  reload: () => Promise<void>
}) => {
  const [key, setKey] = useState(0)
  const [payments, setPayments] = useState<AnyRecord[]>([])
  const refreshAll = () => {
    setKey((value) => value + 1)
    void reload()
  }
  return (
    <>
      <Transitions order={order} onChange={onChange} reload={reload} />
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

import { useState } from 'preact/hooks'
import { ErrorBanner, Field, Notice } from '../lib/components'
import { formErrors, type FormErrors } from '../lib/errors'
import { validate } from '../lib/validate'
import { useAdmin } from './context'
import { fieldError } from './form'
import { allowed, findResource, service, type AnyRecord } from './model'
import { RelatedTable } from './related'

// The kinds staff may write (docs/api/inventory-management.md). The declaration limits them with a `where`
// (kind in receive, adjust), which /declarations.json does not publish; the server refuses the others (403).
const STAFF_KINDS = ['receive', 'adjust']
// The server requires a reason for these kinds (the inventoryLedger behaviour): `reason is required to adjust stock`.
const REASON_REQUIRED = new Set(['adjust'])

/**
 * On a product: add an inventory entry (receive stock, or adjust it up or down with a reason) and see the
 * product's ledger, newest first. The stock shown on the product follows.
 */
export const InventoryPanel = ({ product, reload }: { product: AnyRecord; reload: () => Promise<void> }) => {
  const { client, model, roles } = useAdmin()
  const inventory = findResource(model, 'inventory')
  const kinds = (inventory?.fields.kind?.values ?? []).filter((kind) => STAFF_KINDS.includes(kind))
  const [kind, setKind] = useState(kinds[0] ?? '')
  const [quantity, setQuantity] = useState('')
  const [reason, setReason] = useState('')
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [done, setDone] = useState('')
  const [busy, setBusy] = useState(false)
  const [key, setKey] = useState(0)
  if (!inventory) return null
  const mayCreate = allowed(inventory, 'create', roles) && kinds.length > 0
  const needsReason = REASON_REQUIRED.has(kind)

  const submit = async (event: Event) => {
    event.preventDefault()
    setDone('')
    const body: AnyRecord = { productId: product.id, kind }
    if (quantity.trim() !== '') body.quantity = Number(quantity)
    if (reason.trim() !== '') body.reason = reason.trim()
    const fields = { ...(validate(inventory.schemas.data, body)?.fields ?? {}) }
    if (needsReason && !body.reason) fields.reason ??= `is required to ${kind} stock`
    if (body.quantity === 0) fields.quantity ??= 'must not be 0'
    if (kind === 'receive' && body.quantity < 0) fields.quantity ??= 'must be positive to receive stock'
    if (Object.keys(fields).length) return setErrors({ message: 'Please correct the marked fields', fields })
    setBusy(true)
    setErrors(null)
    try {
      const entry = await service(client, inventory.path).create(body)
      setDone(
        `Recorded: ${entry.kind} ${entry.quantity > 0 ? '+' : ''}${entry.quantity}; stock is now ${entry.stockAfter}`
      )
      setQuantity('')
      setReason('')
      setKey((value) => value + 1)
      void reload()
    } catch (failure) {
      setErrors(formErrors(failure))
    } finally {
      setBusy(false)
    }
  }

  return (
    <>
      {mayCreate && (
        <form class="card inventory-form" onSubmit={submit} noValidate aria-labelledby="inventory-title">
          <h2 id="inventory-title">Stock</h2>
          <p>
            In stock now: <strong data-stock={product.stock}>{String(product.stock ?? 0)}</strong>
          </p>
          {done && <Notice>{done}</Notice>}
          <ErrorBanner errors={errors} shown={['kind', 'quantity', 'reason']} />
          <div class="grid">
            <Field
              id="inventory-kind"
              label="Kind *"
              error={fieldError(errors, 'kind')}
              hint="receive adds stock; adjust corrects it (+ or −)"
            >
              <select
                id="inventory-kind"
                value={kind}
                aria-describedby="inventory-kind-hint"
                onChange={(event) => setKind(event.currentTarget.value)}
              >
                {kinds.map((option) => (
                  <option key={option} value={option}>
                    {option}
                  </option>
                ))}
              </select>
            </Field>
            <Field id="inventory-quantity" label="Quantity *" error={fieldError(errors, 'quantity')}>
              <input
                id="inventory-quantity"
                type="number"
                step={1}
                value={quantity}
                aria-invalid={fieldError(errors, 'quantity') ? 'true' : undefined}
                aria-describedby={fieldError(errors, 'quantity') ? 'inventory-quantity-error' : undefined}
                onInput={(event) => setQuantity(event.currentTarget.value)}
              />
            </Field>
            <Field
              id="inventory-reason"
              label={needsReason ? 'Reason *' : 'Reason'}
              error={fieldError(errors, 'reason')}
            >
              <input
                id="inventory-reason"
                type="text"
                maxLength={500}
                value={reason}
                aria-invalid={fieldError(errors, 'reason') ? 'true' : undefined}
                aria-describedby={fieldError(errors, 'reason') ? 'inventory-reason-error' : undefined}
                onInput={(event) => setReason(event.currentTarget.value)}
              />
            </Field>
          </div>
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Add entry'}
          </button>
        </form>
      )}
      <RelatedTable
        name="inventory"
        title="Inventory ledger"
        query={{ productId: product.id, $sort: { createdAt: -1 } }}
        columns={['id', 'kind', 'quantity', 'stockAfter', 'reason', 'orderId', 'actorId', 'createdAt']}
        reloadKey={key}
      />
    </>
  )
}

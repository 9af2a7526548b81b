import type { ComponentChildren } from 'preact'
import { useMemo, useState } from 'preact/hooks'
import { ErrorBanner, Notice } from '../lib/components'
import type { ClientResource } from '../lib/declarations'
import { formErrors, type FormErrors } from '../lib/errors'
import { href, navigate } from '../lib/router'
import { useAdmin } from './context'
import { takeFlash, setFlash } from './flash'
import { RecordForm } from './form'
import { useEvents, useLoad } from './hooks'
import { InventoryPanel } from './inventory'
import {
  allowed,
  humanize,
  ownsRecord,
  recordTitle,
  service,
  visibleFields,
  writable,
  type AnyRecord
} from './model'
import { OrderPanel, PaymentPanel } from './orders'
import { RelatedLinks } from './related'
import { RolesPanel } from './roles'
import { Transitions } from './transitions'
import { Value } from './values'
import { ShownOnce, shownOnce } from './shown-once'

/** "Revoke" for resources whose removal only marks the row (`revokedAt`), "Delete" otherwise. */
const removeWord = (resource: ClientResource) => (resource.fields.revokedAt ? 'Revoke' : 'Delete')

/** Delete (or revoke) with an inline confirmation step: no browser dialog. */
export const RemoveButton = ({
  resource,
  record,
  onRemoved
}: {
  resource: ClientResource
  record: AnyRecord
  onRemoved: (record: AnyRecord) => void
}) => {
  const { client } = useAdmin()
  const [asking, setAsking] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<FormErrors | null>(null)
  const word = removeWord(resource)
  const remove = async () => {
    setBusy(true)
    setError(null)
    try {
      onRemoved(await service(client, resource.path).remove(record.id))
    } catch (failure) {
      setError(formErrors(failure))
      setAsking(false)
    } finally {
      setBusy(false)
    }
  }
  return (
    <div class="remove">
      <ErrorBanner errors={error} shown={Object.keys(error?.fields ?? {})} />
      {!asking ? (
        <button type="button" class="danger" onClick={() => setAsking(true)}>
          {word}
        </button>
      ) : (
        <div class="confirm banner error" role="group" aria-labelledby={`confirm-${record.id}`}>
          <p id={`confirm-${record.id}`}>
            {word} {resource.name} #{record.id} ({recordTitle(record)})?{' '}
            {word === 'Revoke' ? 'It stops working at once.' : 'This cannot be undone.'}
          </p>
          <div class="row">
            <button type="button" class="danger" disabled={busy} onClick={remove} autoFocus>
              Yes, {word.toLowerCase()}
            </button>
            <button type="button" class="secondary" onClick={() => setAsking(false)}>
              Cancel
            </button>
          </div>
        </div>
      )}
    </div>
  )
}

/** A record's fields as a definition list. */
export const RecordFields = ({ resource, record }: { resource: ClientResource; record: AnyRecord }) => (
  <dl class="fields">
    {visibleFields(resource)
      .filter((name) => name in record)
      .map((name) => (
        <div key={name} class="pair" data-field={name}>
          <dt>{humanize(name)}</dt>
          <dd>
            <Value resource={resource} name={name} record={record} />
          </dd>
        </div>
      ))}
  </dl>
)

const NotAllowed = ({ children }: { children: ComponentChildren }) => (
  <section class="card" role="alert">
    <h1>No access</h1>
    <p>{children}</p>
  </section>
)

/** One record: its fields, edit / delete where allowed, and the resource's special panel. */
export const DetailView = ({ resource, id }: { resource: ClientResource; id: string }) => {
  const admin = useAdmin()
  const { client, roles, user } = admin
  const [flash] = useState(takeFlash)
  const [notice, setNotice] = useState(flash)
  const source = useMemo(() => service(client, resource.path), [client, resource.path])
  const mayGet = allowed(resource, 'get', roles, true)
  const record = useLoad(
    async () => (mayGet ? ((await source.get(id)) as AnyRecord) : undefined),
    [source, id, mayGet]
  )
  useEvents(
    source,
    {
      patched: (changed) => String(changed.id) === id && record.set(changed),
      updated: (changed) => String(changed.id) === id && record.set(changed),
      removed: (changed) => String(changed.id) === id && record.set(changed)
    },
    !!resource.realtime
  )

  if (!mayGet) return <NotAllowed>Your roles may not read {resource.name}.</NotAllowed>
  const data = record.data
  const own = ownsRecord(resource, data, user.id)
  const mayEdit = allowed(resource, 'patch', roles, own) && writable(resource, 'patch', roles, own).length > 0
  const mayRemove = allowed(resource, 'remove', roles, own) && !data?.revokedAt

  return (
    <section aria-labelledby="detail-title">
      <p class="crumbs">
        <a href={href('r', resource.name)}>← {humanize(resource.name)}</a>
      </p>
      <div class="title-row">
        <h1 id="detail-title">
          {humanize(resource.name)} #{id}
          {data && data.name !== undefined && data.name !== null && (
            <span class="subtitle"> {String(data.name)}</span>
          )}
        </h1>
        {data && mayEdit && (
          <a class="button" href={href('r', resource.name, id, 'edit')}>
            Edit
          </a>
        )}
      </div>
      {notice && (
        <Notice>
          {notice}{' '}
          <button type="button" class="link" onClick={() => setNotice('')}>
            Dismiss
          </button>
        </Notice>
      )}
      <ErrorBanner errors={record.error} />
      {record.loading && !data && <p role="status">Loading…</p>}
      {data && (
        <>
          <div class="card">
            <RecordFields resource={resource} record={data} />
            {mayRemove && (
              <RemoveButton
                resource={resource}
                record={data}
                onRemoved={(removed) => {
                  if (removed.revokedAt) {
                    record.set(removed)
                    setNotice(`${humanize(resource.name)} #${removed.id} revoked`)
                  } else {
                    setFlash(`${humanize(resource.name)} #${removed.id} deleted`)
                    navigate('r', resource.name)
                  }
                }}
              />
            )}
          </div>
          <Transitions resource={resource} record={data} onChange={record.set} reload={record.reload} />
          {resource.name === 'orders' && <OrderPanel order={data} reload={record.reload} />}
          {resource.name === 'payments' && <PaymentPanel payment={data} reload={record.reload} />}
          {resource.name === 'products' && <InventoryPanel product={data} reload={record.reload} />}
          {resource.name === 'users' && <RolesPanel user={data} onChange={record.set} />}
          <RelatedLinks resource={resource} record={data} />
        </>
      )}
    </section>
  )
}

/** The edit form of a record: the patch schema, limited to the fields the user's roles may write. */
export const EditView = ({ resource, id }: { resource: ClientResource; id: string }) => {
  const { client, roles, user } = useAdmin()
  const record = useLoad(
    async () => (await service(client, resource.path).get(id)) as AnyRecord,
    [resource, id]
  )
  const data = record.data
  const own = ownsRecord(resource, data, user.id)
  // The state field changes only through its transitions (on the record's page).
  const names = data
    ? writable(resource, 'patch', roles, own).filter((name) => name !== resource.states?.field)
    : []
  return (
    <section aria-labelledby="edit-title">
      <p class="crumbs">
        <a href={href('r', resource.name, id)}>
          ← {humanize(resource.name)} #{id}
        </a>
      </p>
      <h1 id="edit-title">
        {humanize(resource.name)} #{id}: edit
      </h1>
      <ErrorBanner errors={record.error} />
      {record.loading && !data && <p role="status">Loading…</p>}
      {data && !allowed(resource, 'patch', roles, own) && (
        <NotAllowed>Your roles may not change {resource.name}.</NotAllowed>
      )}
      {data && allowed(resource, 'patch', roles, own) && (
        <div class="card">
          <RecordForm
            key={`${resource.name}-${id}`}
            resource={resource}
            method="patch"
            names={names}
            record={data}
            submitLabel="Save changes"
            onSaved={(saved) => {
              setFlash(`Saved ${resource.name} #${saved.id}`)
              navigate('r', resource.name, saved.id)
            }}
            onCancel={() => navigate('r', resource.name, id)}
          />
        </div>
      )}
    </section>
  )
}

/** The create form of a resource: its data schema, limited to the fields the user's roles may write. */
export const CreateView = ({ resource }: { resource: ClientResource }) => {
  const { roles } = useAdmin()
  const [once, setOnce] = useState<{ saved: AnyRecord; values: [string, string][] } | null>(null)
  if (!allowed(resource, 'create', roles))
    return <NotAllowed>Your roles may not create {resource.name}.</NotAllowed>
  if (once) return <ShownOnce resource={resource} saved={once.saved} values={once.values} />
  return (
    <section aria-labelledby="create-title">
      <p class="crumbs">
        <a href={href('r', resource.name)}>← {humanize(resource.name)}</a>
      </p>
      <h1 id="create-title">{humanize(resource.name)}: new record</h1>
      <div class="card">
        <RecordForm
          key={resource.name}
          resource={resource}
          method="create"
          names={writable(resource, 'create', roles)}
          submitLabel={`Create`}
          onSaved={(saved) => {
            // A secret returned only now (a webhook's) is shown before leaving the page.
            const values = shownOnce(resource, saved)
            if (values.length) return setOnce({ saved, values })
            setFlash(`Created ${resource.name} #${saved.id}`)
            navigate('r', resource.name, saved.id)
          }}
          onCancel={() => navigate('r', resource.name)}
        />
      </div>
    </section>
  )
}

export { NotAllowed }

import { useState } from 'preact/hooks'
import { ErrorBanner, StatusBadge } from '../lib/components'
import type { ClientResource } from '../lib/declarations'
import { formErrors, type FormErrors } from '../lib/errors'
import { useAdmin } from './context'
import { humanize, ownsRecord, service, type AnyRecord } from './model'

type States = NonNullable<ClientResource['states']>

/**
 * The transitions a user may request now: declared, from the current state, not the system's, and granted to one
 * of their roles (or to `owner` when the record is theirs). The server checks again and answers 409 otherwise.
 */
export const availableTransitions = (states: States, current: string, roles: string[], own: boolean) =>
  Object.entries(states.transitions).filter(
    ([, transition]) =>
      transition.from.includes(current) &&
      !transition.system &&
      transition.roles.some((role) => roles.includes(role) || (own && role === 'owner'))
  )

/** Whether anyone but the system may move this state machine at all (payments: no; orders: yes). */
export const requestable = (states: States | undefined) =>
  !!states && Object.values(states.transitions).some((transition) => !transition.system)

// Cancelling cannot be undone (and cancelling a paid order refunds it): those ask first.
const asksFirst = (name: string, to: string) => /cancel/i.test(name) || /cancel/i.test(to)

/**
 * The state of a record with a declared state machine (`states` in /declarations.json) and one button per
 * transition the user may request now: `PATCH {<field>: <to>}` alone. A refusal shows the server's message (409
 * naming what is allowed now) and reloads the record.
 */
export const Transitions = ({
  resource,
  record,
  onChange,
  reload
}: {
  resource: ClientResource
  record: AnyRecord
  onChange: (record: AnyRecord) => void
  reload: () => Promise<void>
}) => {
  const { client, roles, user } = useAdmin()
  const [busy, setBusy] = useState('')
  const [asking, setAsking] = useState('')
  const [error, setError] = useState<FormErrors | null>(null)
  const states = resource.states
  if (!states || !requestable(states)) return null
  const current = String(record[states.field])
  const transitions = availableTransitions(states, current, roles, ownsRecord(resource, record, user.id))
  const run = async (name: string, to: string) => {
    setBusy(name)
    setError(null)
    setAsking('')
    try {
      // With the version the page showed: a record changed meanwhile is a 409, not a transition from a state the
      // person never saw.
      const version =
        resource.fields.version && record.version !== undefined ? { version: record.version } : {}
      const body = { [states.field]: to, ...version }
      onChange((await service(client, resource.path).patch(record.id, body)) as AnyRecord)
    } catch (failure) {
      // Refused (409: the record changed meanwhile, or the transition is not yours): say why, show it as it is now.
      setError(formErrors(failure))
      void reload()
    } finally {
      setBusy('')
    }
  }
  return (
    <section class="card" aria-labelledby="transitions-title">
      <h2 id="transitions-title">{humanize(states.field)}</h2>
      <p>
        Now: <StatusBadge status={current} />
      </p>
      <ErrorBanner errors={error} shown={[states.field]} />
      {transitions.length === 0 ? (
        <p class="muted">
          No {states.field} change is open to you from {humanize(current).toLowerCase()}.
        </p>
      ) : (
        <div class="row transitions">
          {transitions.map(([name, transition]) =>
            asking === name ? (
              <div class="confirm banner error" role="group" aria-labelledby={`ask-${name}`} key={name}>
                <p id={`ask-${name}`}>
                  {humanize(name)}: {current} → {transition.to}? This cannot be undone.
                  {resource.name === 'orders' && current !== 'pending' && ' The payment is refunded in full.'}
                </p>
                <div class="row">
                  <button type="button" class="danger" onClick={() => run(name, transition.to)} autoFocus>
                    Yes, {humanize(name).toLowerCase()}
                  </button>
                  <button type="button" class="secondary" onClick={() => setAsking('')}>
                    Keep {humanize(current).toLowerCase()}
                  </button>
                </div>
              </div>
            ) : (
              <button
                type="button"
                key={name}
                data-transition={name}
                class={asksFirst(name, transition.to) ? 'danger' : undefined}
                disabled={!!busy}
                onClick={() => (asksFirst(name, transition.to) ? setAsking(name) : run(name, transition.to))}
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

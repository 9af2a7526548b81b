import { useRef, useState } from 'preact/hooks'
import { ErrorBanner, Field } from '../lib/components'
import type { ClientResource } from '../lib/declarations'
import { formErrors, type FormErrors } from '../lib/errors'
import { href } from '../lib/router'
import { validate } from '../lib/validate'
import { useAdmin } from './context'
import { fieldError } from './form'
import { humanize, service, type AnyRecord } from './model'
import { METHODS } from '../../../src/engine/vocabulary'

interface ScopeRow {
  resource: string
  methods: string[]
  readOnly: boolean
}

/** The methods a resource offers at all (an empty access map: not offered, 405 for everyone). */
const offered = (resource: ClientResource | undefined) =>
  METHODS.filter((method) => resource && Object.keys(resource.access[method]).length > 0)

/** A scope as the server takes it: `readOnly` alone, or the chosen methods (none chosen: every method). */
const toScope = (row: ScopeRow) =>
  row.readOnly
    ? { resource: row.resource, readOnly: true }
    : row.methods.length
      ? { resource: row.resource, methods: row.methods }
      : { resource: row.resource }

/**
 * Creating an API key: name, scopes (resource × methods, or read only) and an optional expiry. The answer carries
 * the secret once; it is shown here in a read-only field to copy, kept only in this screen's memory, and can never
 * be fetched again.
 */
export const ApiKeyCreate = ({ resource }: { resource: ClientResource }) => {
  const { client, model } = useAdmin()
  const resources = model.resources.filter((entry) => offered(entry).length > 0)
  const [name, setName] = useState('')
  const [expiresAt, setExpiresAt] = useState('')
  const [scopes, setScopes] = useState<ScopeRow[]>([{ resource: '', methods: [], readOnly: true }])
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const [created, setCreated] = useState<AnyRecord | null>(null)
  const [copied, setCopied] = useState('')
  const secret = useRef<HTMLInputElement>(null)

  const update = (index: number, change: Partial<ScopeRow>) =>
    setScopes((previous) => previous.map((row, at) => (at === index ? { ...row, ...change } : row)))

  const submit = async (event: Event) => {
    event.preventDefault()
    const body: AnyRecord = { scopes: scopes.map(toScope) }
    if (name.trim()) body.name = name.trim()
    const fields: Record<string, string> = {}
    scopes.forEach((row, index) => {
      if (!row.resource) fields[`scopes.${index}.resource`] = 'choose a resource'
    })
    if (expiresAt) {
      const date = new Date(expiresAt)
      if (Number.isNaN(date.getTime())) fields.expiresAt = 'is not a valid date and time'
      else body.expiresAt = date.toISOString()
    }
    Object.assign(fields, { ...(validate(resource.schemas.data, body)?.fields ?? {}), ...fields })
    if (Object.keys(fields).length) return setErrors({ message: 'Please correct the marked fields', fields })
    setBusy(true)
    setErrors(null)
    try {
      setCreated(await service(client, resource.path).create(body))
    } catch (failure) {
      setErrors(formErrors(failure))
    } finally {
      setBusy(false)
    }
  }

  const copy = async () => {
    secret.current?.select()
    try {
      await navigator.clipboard.writeText(String(created?.key ?? ''))
      setCopied('Copied to the clipboard.')
    } catch {
      setCopied('Selected: press Ctrl+C (⌘C) to copy.')
    }
  }

  if (created)
    return (
      <section aria-labelledby="key-title" class="api-key-created">
        <p class="crumbs">
          <a href={href('r', resource.name)}>← {humanize(resource.name)}</a>
        </p>
        <h1 id="key-title">API key created: {String(created.name)}</h1>
        <div class="banner warning" role="alert">
          <strong>Copy this key now.</strong> It is shown only this once: the server keeps only its hash and
          cannot show it again. If it is lost, create a new key and revoke this one.
        </div>
        <div class="card">
          <Field
            id="api-key-secret"
            label="Secret key"
            hint={`Prefix ${String(created.prefix ?? '')}; send it as the X-API-Key header.`}
          >
            <input
              id="api-key-secret"
              ref={secret}
              class="secret"
              type="text"
              readOnly
              value={String(created.key ?? '')}
              aria-describedby="api-key-secret-hint"
              onFocus={(event) => event.currentTarget.select()}
              spellcheck={false}
              autocomplete="off"
            />
          </Field>
          <div class="row">
            <button type="button" onClick={copy}>
              Copy key
            </button>
            <a class="button secondary" href={href('r', resource.name, created.id)}>
              Done: open key #{created.id}
            </a>
          </div>
          {copied && <p role="status">{copied}</p>}
        </div>
      </section>
    )

  return (
    <section aria-labelledby="create-title">
      <p class="crumbs">
        <a href={href('r', resource.name)}>← {humanize(resource.name)}</a>
      </p>
      <h1 id="create-title">New API key</h1>
      <form class="card" onSubmit={submit} noValidate>
        <ErrorBanner
          errors={errors}
          shown={Object.keys(errors?.fields ?? {}).filter((path) => /^(name|scopes|expiresAt)/.test(path))}
        />
        <Field
          id="api-key-name"
          label="Name *"
          hint="The service that uses the key"
          error={fieldError(errors, 'name')}
        >
          <input
            id="api-key-name"
            type="text"
            maxLength={100}
            value={name}
            aria-invalid={fieldError(errors, 'name') ? 'true' : undefined}
            aria-describedby={`api-key-name-hint${fieldError(errors, 'name') ? ' api-key-name-error' : ''}`}
            onInput={(event) => setName(event.currentTarget.value)}
          />
        </Field>
        <fieldset class="scopes">
          <legend>Scopes *</legend>
          <p class="hint">
            A key does exactly what its scopes name, on every record. Read only: find and get. No method
            chosen: all methods the resource offers.
          </p>
          {scopes.map((row, index) => {
            const target = model.resources.find((entry) => entry.name === row.resource)
            const id = `scope-${index}`
            const error = fieldError(errors, `scopes.${index}`)
            return (
              <div class="scope card" key={index} data-scope={index}>
                <Field id={`${id}-resource`} label={`Resource ${index + 1}`} error={error}>
                  <select
                    id={`${id}-resource`}
                    value={row.resource}
                    onChange={(event) => update(index, { resource: event.currentTarget.value, methods: [] })}
                  >
                    <option value="">Choose a resource…</option>
                    {resources.map((entry) => (
                      <option key={entry.name} value={entry.name}>
                        {entry.name}
                      </option>
                    ))}
                  </select>
                </Field>
                <div class="row">
                  <label for={`${id}-readonly`}>
                    <input
                      id={`${id}-readonly`}
                      type="checkbox"
                      checked={row.readOnly}
                      onChange={(event) => update(index, { readOnly: event.currentTarget.checked })}
                    />{' '}
                    read only
                  </label>
                  {!row.readOnly &&
                    offered(target).map((method) => (
                      <label key={method} for={`${id}-${method}`}>
                        <input
                          id={`${id}-${method}`}
                          type="checkbox"
                          checked={row.methods.includes(method)}
                          onChange={(event) =>
                            update(index, {
                              methods: event.currentTarget.checked
                                ? METHODS.filter((item) => item === method || row.methods.includes(item))
                                : row.methods.filter((item) => item !== method)
                            })
                          }
                        />{' '}
                        {method}
                      </label>
                    ))}
                </div>
                {scopes.length > 1 && (
                  <button
                    type="button"
                    class="secondary"
                    onClick={() => setScopes((previous) => previous.filter((_, at) => at !== index))}
                  >
                    Remove scope {index + 1}
                  </button>
                )}
              </div>
            )
          })}
          {fieldError(errors, 'scopes') &&
            !Object.keys(errors?.fields ?? {}).some((path) => /^scopes\.\d/.test(path)) && (
              <p class="error" role="alert">
                Scopes: {fieldError(errors, 'scopes')}
              </p>
            )}
          <button
            type="button"
            class="secondary"
            onClick={() =>
              setScopes((previous) => [...previous, { resource: '', methods: [], readOnly: true }])
            }
          >
            Add a scope
          </button>
        </fieldset>
        <Field
          id="api-key-expires"
          label="Expires at"
          hint="Optional; local time"
          error={fieldError(errors, 'expiresAt')}
        >
          <input
            id="api-key-expires"
            type="datetime-local"
            value={expiresAt}
            aria-describedby="api-key-expires-hint"
            onInput={(event) => setExpiresAt(event.currentTarget.value)}
          />
        </Field>
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create key'}
        </button>
      </form>
    </section>
  )
}

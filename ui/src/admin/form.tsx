import { useState } from 'preact/hooks'
import { ErrorBanner, Field, FieldNotes } from '../lib/components'
import type { ClientField, ClientResource } from '../lib/declarations'
import { formErrors, type FormErrors } from '../lib/errors'
import { href } from '../lib/router'
import { validate } from '../lib/validate'
import { useAdmin } from './context'
import {
  allowed,
  DATE_TYPES,
  enumValues,
  findResource,
  humanize,
  propertySchema,
  type AnyRecord
} from './model'

type Kind =
  | 'enum'
  | 'enum-set'
  | 'boolean'
  | 'number'
  | 'integer'
  | 'ref'
  | 'text'
  | 'json'
  | 'password'
  | 'date'
  | 'string'
type Raw = string | boolean | string[]

/** Which input a field gets, from its declared type and its JSON schema. */
export const inputKind = (resource: ClientResource, name: string): Kind => {
  const field = resource.fields[name]
  const schema = propertySchema(resource.schemas.data, name) ?? propertySchema(resource.schemas.patch, name)
  if (!field) return 'string'
  if (field.type === 'password' || field.hidden) return 'password'
  if (field.type === 'enum') return 'enum'
  if (field.type === 'boolean') return 'boolean'
  if (field.type === 'ref') return 'ref'
  if (field.type === 'integer') return 'integer'
  if (field.type === 'number') return 'number'
  if (field.type === 'text') return 'text'
  if (DATE_TYPES.has(field.type)) return 'date'
  if (field.type === 'json') return schema?.type === 'array' && schema.items?.enum ? 'enum-set' : 'json'
  return 'string'
}

const pad = (value: number) => String(value).padStart(2, '0')
/** An ISO time as a `datetime-local` value (local time, minutes). */
const toLocalInput = (iso: string) => {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return ''
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`
}

/** The input's starting value for a field of a record (or empty for a new one). */
const initial = (kind: Kind, value: unknown): Raw => {
  if (kind === 'boolean') return value === true
  if (kind === 'enum-set') return Array.isArray(value) ? value.map(String) : []
  if (kind === 'password' || value === null || value === undefined) return ''
  if (kind === 'json') return JSON.stringify(value, null, 2)
  if (kind === 'date') return toLocalInput(String(value))
  return String(value)
}

const same = (a: Raw, b: Raw) => JSON.stringify(a) === JSON.stringify(b)

/**
 * Turns the inputs into a body: only what was filled in (create) or changed (patch); numbers, JSON and dates
 * parsed. Parse problems are field errors, like the validator's.
 */
const buildBody = (
  resource: ClientResource,
  names: string[],
  values: Record<string, Raw>,
  start: Record<string, Raw>,
  method: 'create' | 'patch'
) => {
  const body: AnyRecord = {}
  const problems: Record<string, string> = {}
  for (const name of names) {
    const kind = inputKind(resource, name)
    const raw = values[name]
    const field = resource.fields[name]
    if (method === 'patch' && same(raw, start[name])) continue
    if (kind === 'boolean' || kind === 'enum-set') {
      body[name] = raw
      continue
    }
    const text = String(raw)
    if (text.trim() === '') {
      if (method === 'create' || kind === 'password') continue
      if (field?.optional) body[name] = null
      else problems[name] = 'is required'
      continue
    }
    if (kind === 'number' || kind === 'integer' || kind === 'ref') {
      const number = Number(text)
      if (Number.isNaN(number)) problems[name] = 'must be a number'
      else body[name] = number
    } else if (kind === 'json') {
      try {
        body[name] = JSON.parse(text)
      } catch {
        problems[name] = 'is not valid JSON'
      }
    } else if (kind === 'date') {
      const date = new Date(text)
      if (Number.isNaN(date.getTime())) problems[name] = 'is not a valid date and time'
      else body[name] = date.toISOString()
    } else body[name] = text
  }
  return { body, problems }
}

/** The error of a field and of everything below it (`items.0.quantity`), as one line. */
export const fieldError = (errors: FormErrors | null, name: string) => {
  if (!errors) return undefined
  if (errors.fields[name]) return errors.fields[name]
  const nested = Object.entries(errors.fields).filter(([path]) => path.startsWith(`${name}.`))
  return nested.length
    ? nested.map(([path, message]) => `${path.slice(name.length + 1)}: ${message}`).join('; ')
    : undefined
}

/** The dotted paths an error names that belong to these fields (the banner lists the others). */
export const shownPaths = (errors: FormErrors | null, names: string[]) =>
  Object.keys(errors?.fields ?? {}).filter((path) =>
    names.some((name) => path === name || path.startsWith(`${name}.`))
  )

const describedBy = (id: string, hint: string | undefined, error: string | undefined) =>
  [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined

/** One input for one field, chosen by its kind; labelled through Field. */
export const FieldInput = ({
  resource,
  name,
  value,
  onChange,
  error,
  required
}: {
  resource: ClientResource
  name: string
  value: Raw
  onChange: (value: Raw) => void
  error?: string
  required: boolean
}) => {
  const { model, roles } = useAdmin()
  const field: ClientField | undefined = resource.fields[name]
  const kind = inputKind(resource, name)
  const id = `f-${resource.name}-${name}`
  const hints = [
    field?.description,
    kind === 'json' && 'JSON',
    kind === 'date' && 'local time',
    kind === 'ref' && field?.to && `the id of a record in ${field.to}`
  ].filter(Boolean)
  const hint = hints.length ? hints.join(' — ') : undefined
  const common = {
    id,
    name,
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-describedby': describedBy(id, hint, error),
    'aria-required': required ? ('true' as const) : undefined
  }
  const label = `${humanize(name)}${required ? ' *' : ''}`
  const text = String(value)
  const set = (event: Event) => onChange((event.currentTarget as HTMLInputElement).value)

  if (kind === 'boolean')
    return (
      <div class={error ? 'field checkbox invalid' : 'field checkbox'}>
        <label for={id}>
          <input
            {...common}
            type="checkbox"
            checked={value === true}
            onChange={(event) => onChange(event.currentTarget.checked)}
          />{' '}
          {humanize(name)}
        </label>
        <FieldNotes id={id} hint={hint} error={error} />
      </div>
    )

  if (kind === 'enum-set') {
    const chosen = Array.isArray(value) ? value : []
    const options = enumValues(resource, name, field) ?? []
    return (
      <fieldset
        class={error ? 'field choices invalid' : 'field choices'}
        id={id}
        aria-describedby={describedBy(id, hint, error)}
      >
        <legend>{label}</legend>
        {options.map((option) => (
          <label key={option} for={`${id}-${option}`}>
            <input
              id={`${id}-${option}`}
              type="checkbox"
              name={name}
              value={option}
              checked={chosen.includes(option)}
              onChange={(event) =>
                onChange(
                  event.currentTarget.checked
                    ? options.filter((item) => item === option || chosen.includes(item))
                    : chosen.filter((item) => item !== option)
                )
              }
            />{' '}
            {option}
          </label>
        ))}
        <FieldNotes id={id} hint={hint} error={error} />
      </fieldset>
    )
  }

  let input
  if (kind === 'enum') {
    const options = enumValues(resource, name, field) ?? []
    input = (
      <select {...common} value={text} onChange={set}>
        <option value="">{required ? 'Choose…' : field?.optional ? '— none —' : '— default —'}</option>
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    )
  } else if (kind === 'text' || kind === 'json')
    input = (
      <textarea
        {...common}
        rows={kind === 'json' ? 6 : 4}
        value={text}
        onInput={set}
        spellcheck={kind !== 'json'}
      />
    )
  else if (kind === 'number' || kind === 'integer' || kind === 'ref')
    input = (
      <input {...common} type="number" step={kind === 'number' ? 'any' : '1'} value={text} onInput={set} />
    )
  else if (kind === 'password')
    input = <input {...common} type="password" autocomplete="new-password" value={text} onInput={set} />
  else if (kind === 'date') input = <input {...common} type="datetime-local" value={text} onInput={set} />
  else {
    const format = propertySchema(resource.schemas.data, name)?.format
    input = <input {...common} type={format === 'email' ? 'email' : 'text'} value={text} onInput={set} />
  }

  const target = kind === 'ref' && field?.to ? findResource(model, field.to) : undefined
  return (
    <Field id={id} label={label} error={error} hint={hint}>
      {input}
      {target && text && /^\d+$/.test(text) && allowed(target, 'get', roles, true) && (
        <a class="ref-link" href={href('r', target.name, text)}>
          Open {target.name} #{text}
        </a>
      )}
    </Field>
  )
}

/**
 * A create or edit form built from the resource's JSON schema (`schemas.data` / `schemas.patch`), limited to the
 * fields the user's roles may write. It validates with the server's schema before sending, then shows the
 * server's own field errors next to the fields.
 */
export const RecordForm = ({
  resource,
  method,
  names,
  record,
  submitLabel,
  onSaved,
  onCancel
}: {
  resource: ClientResource
  method: 'create' | 'patch'
  names: string[]
  record?: AnyRecord
  submitLabel: string
  onSaved: (record: AnyRecord) => void
  onCancel?: () => void
}) => {
  const { client } = useAdmin()
  const schema = resource.schemas[method === 'create' ? 'data' : 'patch']
  const required = new Set(
    method === 'create' ? (((schema as AnyRecord).required as string[] | undefined) ?? []) : []
  )
  const [start] = useState(() =>
    Object.fromEntries(names.map((name) => [name, initial(inputKind(resource, name), record?.[name])]))
  )
  const [values, setValues] = useState<Record<string, Raw>>(start)
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (event: Event) => {
    event.preventDefault()
    const { body, problems } = buildBody(resource, names, values, start, method)
    if (method === 'patch' && record && typeof record.version === 'number' && resource.fields.version)
      body.version = record.version
    const invalid = validate(schema, body)
    if (Object.keys(problems).length || invalid) {
      setErrors({
        message: 'Please correct the marked fields',
        fields: { ...(invalid?.fields ?? {}), ...problems }
      })
      return
    }
    if (method === 'patch' && Object.keys(body).filter((key) => key !== 'version').length === 0) {
      setErrors({ message: 'Nothing changed', fields: {} })
      return
    }
    setBusy(true)
    setErrors(null)
    try {
      const service = client.service(resource.path as 'products') as any
      const saved = method === 'create' ? await service.create(body) : await service.patch(record!.id, body)
      onSaved(saved)
    } catch (failure) {
      setErrors(formErrors(failure))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form class="record-form" onSubmit={submit} noValidate aria-busy={busy}>
      <ErrorBanner errors={errors} shown={shownPaths(errors, names)} />
      {names.map((name) => (
        <FieldInput
          key={name}
          resource={resource}
          name={name}
          value={values[name]}
          required={required.has(name)}
          error={fieldError(errors, name)}
          onChange={(value) => setValues((previous) => ({ ...previous, [name]: value }))}
        />
      ))}
      <div class="row">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : submitLabel}
        </button>
        {onCancel && (
          <button type="button" class="secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  )
}

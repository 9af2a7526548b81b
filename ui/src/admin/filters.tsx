import { useState } from 'preact/hooks'
import type { ClientResource } from '../lib/declarations'
import { DATE_TYPES, enumValues, humanize, NUMBER_TYPES, type AnyRecord } from './model'

export type FilterValues = Record<string, string>

/** Text filters match "contains" (`$ilike`) on the declaration's search fields, and exactly elsewhere. */
const contains = (resource: ClientResource, name: string) =>
  !!resource.fields[name]?.operators?.includes('$ilike')

/** Filters the panel can offer for a field: json and password fields are not filterable. */
export const filterKind = (resource: ClientResource, name: string) => {
  const field = resource.fields[name]
  if (!field || field.hidden || field.virtual) return undefined
  if (field.type === 'enum') return 'enum'
  if (field.type === 'boolean') return 'boolean'
  if (DATE_TYPES.has(field.type)) return 'date'
  if (NUMBER_TYPES.has(field.type)) return 'number'
  if (field.type === 'string' || field.type === 'text') return 'text'
  return undefined
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`)

const startOfDay = (day: string) => new Date(`${day}T00:00:00`).toISOString()
const endOfDay = (day: string) => new Date(`${day}T23:59:59.999`).toISOString()

/**
 * The query for the filled-in filters, with the operators each field type allows (docs/api.md): enums and
 * references by equality, numbers by equality, text by `$ilike` (contains) where the field is searchable, dates
 * as a range with `$gte` / `$lte`.
 */
export const filterQuery = (resource: ClientResource, values: FilterValues) => {
  const query: AnyRecord = {}
  for (const name of resource.query.filter ?? []) {
    const kind = filterKind(resource, name)
    const value = values[name]?.trim() ?? ''
    if (kind === 'date') {
      const from = values[`${name}.from`]
      const to = values[`${name}.to`]
      const range: AnyRecord = {}
      if (from) range.$gte = startOfDay(from)
      if (to) range.$lte = endOfDay(to)
      if (from || to) query[name] = range
    } else if (!value) continue
    else if (kind === 'enum') query[name] = value
    else if (kind === 'boolean') query[name] = value === 'true'
    else if (kind === 'number') {
      if (!Number.isNaN(Number(value))) query[name] = Number(value)
    } else if (kind === 'text')
      query[name] = contains(resource, name) ? { $ilike: `%${escapeLike(value)}%` } : value
  }
  return query
}

export const activeFilters = (values: FilterValues) =>
  Object.values(values).filter((value) => value.trim()).length

/** The filter bar of a list: one input per `query.filter` field; applied on submit. */
export const Filters = ({
  resource,
  values,
  onApply
}: {
  resource: ClientResource
  values: FilterValues
  onApply: (values: FilterValues) => void
}) => {
  const [draft, setDraft] = useState<FilterValues>(values)
  const active = activeFilters(values)
  // Open on wide screens or when filters apply; folded on a phone, where it would push the list off screen.
  const [open] = useState(() => active > 0 || window.matchMedia('(min-width: 48rem)').matches)
  const names = (resource.query.filter ?? []).filter((name) => filterKind(resource, name))
  if (!names.length) return null
  const set = (key: string) => (event: Event) =>
    setDraft((previous) => ({ ...previous, [key]: (event.currentTarget as HTMLInputElement).value }))
  const id = (key: string) => `filter-${resource.name}-${key.replace('.', '-')}`

  return (
    <form
      class="filters card"
      role="search"
      aria-label={`Filter ${resource.name}`}
      onSubmit={(event) => {
        event.preventDefault()
        onApply(draft)
      }}
    >
      <details open={open}>
        <summary>Filters{active ? ` (${active} applied)` : ''}</summary>
        <div class="filter-fields">
          {names.map((name) => {
            const kind = filterKind(resource, name)
            const field = resource.fields[name]
            if (kind === 'date')
              return (
                <fieldset class="filter date-range" key={name}>
                  <legend>{humanize(name)}</legend>
                  <label for={id(`${name}.from`)}>from</label>
                  <input
                    id={id(`${name}.from`)}
                    type="date"
                    value={draft[`${name}.from`] ?? ''}
                    onInput={set(`${name}.from`)}
                  />
                  <label for={id(`${name}.to`)}>to</label>
                  <input
                    id={id(`${name}.to`)}
                    type="date"
                    value={draft[`${name}.to`] ?? ''}
                    onInput={set(`${name}.to`)}
                  />
                </fieldset>
              )
            let input
            if (kind === 'enum')
              input = (
                <select id={id(name)} value={draft[name] ?? ''} onChange={set(name)}>
                  <option value="">any</option>
                  {(enumValues(resource, name, field) ?? []).map((option) => (
                    <option key={option} value={option}>
                      {option}
                    </option>
                  ))}
                </select>
              )
            else if (kind === 'boolean')
              input = (
                <select id={id(name)} value={draft[name] ?? ''} onChange={set(name)}>
                  <option value="">any</option>
                  <option value="true">yes</option>
                  <option value="false">no</option>
                </select>
              )
            else if (kind === 'number')
              input = (
                <input
                  id={id(name)}
                  type="number"
                  placeholder={field?.type === 'ref' && field.to ? `${field.to} id` : 'equals'}
                  value={draft[name] ?? ''}
                  onInput={set(name)}
                />
              )
            else {
              const exact = !contains(resource, name)
              input = (
                <input
                  id={id(name)}
                  type="search"
                  placeholder={exact ? 'exactly' : 'contains'}
                  value={draft[name] ?? ''}
                  onInput={set(name)}
                />
              )
            }
            return (
              <div class="filter" key={name}>
                <label for={id(name)}>{humanize(name)}</label>
                {input}
              </div>
            )
          })}
        </div>
        <div class="row">
          <button type="submit">Apply filters</button>
          <button
            type="button"
            class="secondary"
            onClick={() => {
              setDraft({})
              onApply({})
            }}
          >
            Clear
          </button>
        </div>
      </details>
    </form>
  )
}

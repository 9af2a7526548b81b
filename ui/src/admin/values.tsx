import { StatusBadge } from '../lib/components'
import type { ClientResource } from '../lib/declarations'
import { dateTime, money } from '../lib/format'
import { href } from '../lib/router'
import { useAdmin } from './context'
import { allowed, DATE_TYPES, findResource, isMoney, type AnyRecord } from './model'

const MAX_CELL = 80

const shorten = (text: string, compact: boolean) =>
  compact && text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text

/**
 * One value of a record as text: references as links, statuses as badges, dates and money formatted, JSON as
 * JSON. Always JSX text, so whatever the data holds is shown, never interpreted as markup.
 */
export const Value = ({
  resource,
  name,
  record,
  compact = false
}: {
  resource: ClientResource
  name: string
  record: AnyRecord
  compact?: boolean
}) => {
  const { model, roles } = useAdmin()
  const field = resource.fields[name]
  const value = record[name]
  if (value === null || value === undefined || value === '') return <span class="muted">—</span>
  if (field?.type === 'ref' && field.to && typeof value === 'number') {
    const target = findResource(model, field.to)
    return allowed(target, 'get', roles, true) ? (
      <a href={href('r', field.to, value)}>
        {field.to} #{value}
      </a>
    ) : (
      <span>#{value}</span>
    )
  }
  if (field?.type === 'enum' && (name === resource.states?.field || name === 'status'))
    return <StatusBadge status={String(value)} />
  if (field && DATE_TYPES.has(field.type) && typeof value === 'string')
    return <time dateTime={value}>{dateTime(value)}</time>
  if (isMoney(name, record) && typeof value === 'number')
    return compact ? (
      <span class="money">{money(value, record.currency)}</span>
    ) : (
      <span class="money">
        {money(value, record.currency)} <span class="muted">({value})</span>
      </span>
    )
  if (typeof value === 'boolean') return <span>{value ? 'yes' : 'no'}</span>
  if (Array.isArray(value) && value.every((item) => typeof item === 'string'))
    return <span>{shorten(value.join(', '), compact)}</span>
  if (typeof value === 'object')
    return compact ? (
      <code>{shorten(JSON.stringify(value), true)}</code>
    ) : (
      <pre class="json">{JSON.stringify(value, null, 2)}</pre>
    )
  return <span>{shorten(String(value), compact)}</span>
}

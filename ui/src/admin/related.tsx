import { ErrorBanner } from '../lib/components'
import type { ClientResource } from '../lib/declarations'
import { href, navigate } from '../lib/router'
import { useAdmin } from './context'
import { useLoad } from './hooks'
import { findPage, remember } from './list'
import { allowed, findResource, humanize, visibleFields, type AnyRecord } from './model'
import { Value } from './values'

/**
 * A small table of the records of another resource that point at this one (an order's payments, a product's
 * ledger). Nothing is fetched when the user's roles may not list that resource.
 */
export const RelatedTable = ({
  name,
  query,
  title,
  columns,
  reloadKey = 0,
  onLoaded
}: {
  name: string
  query: AnyRecord
  title: string
  columns?: string[]
  reloadKey?: number
  onLoaded?: (rows: AnyRecord[]) => void
}) => {
  const admin = useAdmin()
  const resource = findResource(admin.model, name)
  const permitted = allowed(resource, 'find', admin.roles, true)
  const rows = useLoad(async () => {
    if (!resource || !permitted) return []
    const page = await findPage(admin, resource, () => ({ ...query }))
    onLoaded?.(page.data)
    return page.data
  }, [name, JSON.stringify(query), reloadKey, permitted])
  if (!resource || !permitted) return null
  const shown = columns ?? visibleFields(resource)
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-')
  return (
    <section class="card related" aria-labelledby={`related-${slug}`} data-related={name}>
      <h2 id={`related-${slug}`}>{title}</h2>
      <ErrorBanner errors={rows.error} />
      {rows.loading && !rows.data && <p role="status">Loading…</p>}
      {rows.data && rows.data.length === 0 && <p class="empty">None yet.</p>}
      {rows.data && rows.data.length > 0 && (
        <div class="table-scroll" role="region" tabIndex={0} aria-label={title}>
          <table class="records" data-resource={name}>
            <thead>
              <tr>
                {shown.map((column) => (
                  <th key={column} scope="col">
                    {humanize(column)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.data.map((record) => (
                <tr key={record.id} data-id={record.id}>
                  {shown.map((column) => (
                    <td key={column} data-field={column}>
                      {column === 'id' && allowed(resource, 'get', admin.roles, true) ? (
                        <a href={href('r', name, record.id)}>#{record.id}</a>
                      ) : (
                        <Value resource={resource} name={column} record={record} compact />
                      )}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

/**
 * Links to the lists of other resources filtered by a reference to this record (a user's orders, sessions,
 * payments), found in the declarations: any `ref` to this resource that the other resource lets you filter by.
 */
export const RelatedLinks = ({ resource, record }: { resource: ClientResource; record: AnyRecord }) => {
  const { model, roles } = useAdmin()
  const links = model.resources.flatMap((other) =>
    allowed(other, 'find', roles)
      ? Object.entries(other.fields)
          .filter(
            ([field, declared]) =>
              declared.type === 'ref' && declared.to === resource.name && other.query.filter?.includes(field)
          )
          .map(([field]) => ({ other, field }))
      : []
  )
  if (!links.length) return null
  return (
    <nav class="card related-links" aria-label="Related records">
      <h2>Related</h2>
      <ul class="row plain">
        {links.map(({ other, field }) => (
          <li key={`${other.name}-${field}`}>
            <button
              type="button"
              class="secondary"
              onClick={() => {
                remember(other, { [field]: String(record.id) })
                navigate('r', other.name)
              }}
            >
              {humanize(other.name)} by {humanize(field).toLowerCase()}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  )
}

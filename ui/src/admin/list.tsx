import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { ErrorBanner } from '../lib/components'
import type { ClientResource } from '../lib/declarations'
import { href } from '../lib/router'
import { useAdmin } from './context'
import { Filters, filterQuery, type FilterValues } from './filters'
import { useEvents, useLoad } from './hooks'
import { allowed, defaultSort, humanize, pageSize, service, visibleFields, type AnyRecord } from './model'
import { Value } from './values'

interface ListState {
  filters: FilterValues
  sort: Record<string, 1 | -1> | undefined
  skip: number
}

interface Page {
  data: AnyRecord[]
  total: number
  limit: number
  skip: number
}

// Each list keeps its filters, order and page while the panel is open (back from a record returns to them).
const remembered = new Map<string, ListState>()

/** Opens a list with these filters next time (a user's orders from the user's page). */
export const remember = (resource: ClientResource, filters: FilterValues) =>
  void remembered.set(resource.name, { filters, sort: defaultSort(resource), skip: 0 })

const toPage = (result: any): Page =>
  Array.isArray(result)
    ? { data: result, total: result.length, limit: result.length, skip: 0 }
    : { data: result.data, total: result.total, limit: result.limit, skip: result.skip }

/** Finds a page with the given query. */
export const findPage = async (
  admin: { client: Parameters<typeof service>[0] },
  resource: ClientResource,
  build: () => AnyRecord
): Promise<Page> => toPage(await service(admin.client, resource.path).find({ query: build() }))

/**
 * The list of one resource, entirely from its declaration: columns from the returned fields, filters from
 * `query.filter`, sortable headers from `query.sort`, pages from `query.paginate`. Realtime resources stay live:
 * created records appear (the page is fetched again, so filters and order apply), changed ones update in place.
 */
export const ListView = ({ resource }: { resource: ClientResource }) => {
  const admin = useAdmin()
  const { roles, socket } = admin
  const [state, setState] = useState<ListState>(
    () => remembered.get(resource.name) ?? { filters: {}, sort: defaultSort(resource), skip: 0 }
  )
  useEffect(() => void remembered.set(resource.name, state), [resource.name, state])
  const limit = pageSize(resource)
  const columns = useMemo(() => visibleFields(resource), [resource])
  const sortable = new Set(resource.query.sort ?? [])
  const [fresh, setFresh] = useState<Set<number>>(new Set())

  const page = useLoad(
    () =>
      findPage(admin, resource, () => {
        const query: AnyRecord = filterQuery(resource, state.filters)
        if (state.sort) query.$sort = state.sort
        if (limit !== undefined) Object.assign(query, { $limit: limit, $skip: state.skip })
        return query
      }),
    [resource, state]
  )

  // Live: a created record refetches the page (debounced), a changed one is replaced where it is shown.
  const timer = useRef<ReturnType<typeof setTimeout>>()
  const source = useMemo(() => service(admin.client, resource.path), [admin.client, resource.path])
  useEvents(
    source,
    {
      created: (record) => {
        setFresh((previous) => new Set(previous).add(record.id))
        clearTimeout(timer.current)
        timer.current = setTimeout(() => void page.reload(), 150)
      },
      patched: (record) => replace(record),
      updated: (record) => replace(record),
      removed: (record) => {
        if (!page.data?.data.some((row) => row.id === record.id)) return
        page.set({
          ...page.data,
          data: page.data.data.filter((row) => row.id !== record.id),
          total: page.data.total - 1
        })
      }
    },
    !!resource.realtime
  )
  const replace = (record: AnyRecord) => {
    if (!page.data?.data.some((row) => row.id === record.id)) return
    page.set({ ...page.data, data: page.data.data.map((row) => (row.id === record.id ? record : row)) })
  }
  useEffect(() => () => clearTimeout(timer.current), [])
  // After a reconnect the events in between are lost: fetch again.
  useEffect(() => {
    const again = () => void page.reload()
    socket.on('connect', again)
    return () => void socket.off('connect', again)
  }, [socket, page.reload])

  const sortBy = (name: string) =>
    setState((previous) => ({
      ...previous,
      skip: 0,
      sort: { [name]: previous.sort?.[name] === 1 ? -1 : 1 }
    }))

  const data = page.data
  const from = data && data.total ? data.skip + 1 : 0
  const to = data ? data.skip + data.data.length : 0

  return (
    <section aria-labelledby="list-title">
      <div class="title-row">
        <h1 id="list-title">
          {humanize(resource.name)}
          {resource.realtime && (
            <span class="live" title="Updates as records change" data-live="true">
              <span aria-hidden="true">●</span> live
            </span>
          )}
        </h1>
        {allowed(resource, 'create', roles) && (
          <a class="button" href={href('r', resource.name, 'new')}>
            New record
          </a>
        )}
      </div>
      {resource.description && <p class="muted">{resource.description}</p>}
      <Filters
        key={resource.name}
        resource={resource}
        values={state.filters}
        onApply={(filters) => setState((previous) => ({ ...previous, filters, skip: 0 }))}
      />
      <ErrorBanner errors={page.error} />
      <div class="list-status" role="status" aria-live="polite">
        {page.loading && !data ? 'Loading…' : data ? `${from}–${to} of ${data.total}` : ''}
      </div>
      {data && data.data.length === 0 && <p class="empty">No {resource.name} match.</p>}
      {data && data.data.length > 0 && (
        <div class="table-scroll" role="region" tabIndex={0} aria-label={`${resource.name} table`}>
          <table class="records" data-resource={resource.name}>
            <thead>
              <tr>
                {columns.map((name) => {
                  const direction = state.sort?.[name]
                  return (
                    <th
                      key={name}
                      scope="col"
                      aria-sort={direction === 1 ? 'ascending' : direction === -1 ? 'descending' : undefined}
                    >
                      {sortable.has(name) ? (
                        <button type="button" class="sort" onClick={() => sortBy(name)}>
                          {humanize(name)}
                          <span aria-hidden="true">
                            {direction === 1 ? ' ▲' : direction === -1 ? ' ▼' : ' ↕'}
                          </span>
                        </button>
                      ) : (
                        humanize(name)
                      )}
                    </th>
                  )
                })}
              </tr>
            </thead>
            <tbody>
              {data.data.map((record) => (
                <tr key={record.id} data-id={record.id} class={fresh.has(record.id) ? 'fresh' : undefined}>
                  {columns.map((name) => (
                    <td key={name} data-field={name}>
                      {name === 'id' ? (
                        <a href={href('r', resource.name, record.id)}>#{record.id}</a>
                      ) : (
                        <Value resource={resource} name={name} record={record} compact />
                      )}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data && limit !== undefined && data.total > data.data.length && (
        <nav class="pager row" aria-label="Pages">
          <button
            type="button"
            class="secondary"
            disabled={state.skip === 0}
            onClick={() =>
              setState((previous) => ({ ...previous, skip: Math.max(0, previous.skip - data.limit) }))
            }
          >
            Previous
          </button>
          <span>
            Page {Math.floor(data.skip / data.limit) + 1} of {Math.ceil(data.total / data.limit)}
          </span>
          <button
            type="button"
            class="secondary"
            disabled={to >= data.total}
            onClick={() => setState((previous) => ({ ...previous, skip: previous.skip + data.limit }))}
          >
            Next
          </button>
        </nav>
      )}
    </section>
  )
}

import { randomUUID } from 'node:crypto'
import type { Knex } from 'knex'
import type { Application } from '../../declarations'
import type { ResourceDeclaration } from '../declarations/declaration'
import { recordMask } from '../pipeline/mask-result'
import type { CloudEvent } from './cloud-event'

/** One record's change in a transaction: its Feathers event and the declared transitions it took. */
export interface Change {
  path: string
  /** `created`, `updated`, `patched` or `removed`. */
  event: string
  record: any
  /** Target states of the transitions taken, in order (`paid`, `shipped`). */
  transitions: string[]
}

export const OUTBOX = 'outbox_events'

const publishing = new WeakMap<
  Application,
  Map<string, { resource: ResourceDeclaration; mask: (r: any) => any }>
>()

/** The publishing resources by service path, with their masks (an admin's view: never a hidden field). */
const publishingResources = (app: Application) => {
  let byPath = publishing.get(app)
  if (!byPath) {
    byPath = new Map()
    for (const resource of (app.get('resources') ?? []) as ResourceDeclaration[]) {
      if (resource.publish) byPath.set(resource.path, { resource, mask: recordMask(resource) })
    }
    publishing.set(app, byPath)
  }
  return byPath
}

/** The outbox row of one event (the CloudEvent's envelope is rebuilt from it by `eventOf`). */
const row = (type: string, subject: string, time: Date, data: unknown) => ({
  id: randomUUID(),
  type,
  subject,
  time,
  data: JSON.stringify(data)
})

/** The rows for a transaction's changes: `<resource>.<event>`, then `<resource>.<target state>` per transition. */
export const outboxRows = (app: Application, changes: Change[]) => {
  const byPath = publishingResources(app)
  const time = new Date()
  const rows: ReturnType<typeof row>[] = []
  for (const change of changes) {
    const entry = byPath.get(change.path)
    if (!entry || !change.record || change.record.id === undefined) continue
    const data = entry.mask(change.record)
    const subject = String(change.record.id)
    rows.push(row(`${entry.resource.name}.${change.event}`, subject, time, data))
    for (const state of change.transitions)
      rows.push(row(`${entry.resource.name}.${state}`, subject, time, data))
  }
  return rows
}

/**
 * Writes a transaction's events into the outbox in that transaction, just before its commit: they exist if and
 * only if the change does. After the commit the relay is woken (src/engine/events/relay.ts).
 */
export const writeOutbox = async (app: Application, trx: Knex.Transaction, changes: Change[]) => {
  const rows = outboxRows(app, changes)
  if (!rows.length) return
  await trx(OUTBOX).insert(rows)
  trx.executionPromise?.then(
    () => app.get('outboxRelay')?.nudge(),
    () => undefined
  )
}

/** An outbox row as the CloudEvent it stands for. */
export const eventOf = (app: Application, stored: any): CloudEvent => ({
  specversion: '1.0',
  id: stored.id,
  source: app.get('events').source,
  type: stored.type,
  time: new Date(stored.time).toISOString(),
  subject: stored.subject,
  datacontenttype: 'application/json',
  data: typeof stored.data === 'string' ? JSON.parse(stored.data) : stored.data
})

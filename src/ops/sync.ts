import { randomUUID } from 'node:crypto'
import type { Application } from '../declarations'

const TABLE_CHANGES = 'internal-api:table-changes'

/**
 * Only what the receiving instances need to publish an event crosses Redis: the record, the masked
 * dispatch and the transition taken — never params (tokens, connections, transactions).
 */
const serialize = ({ event, path, data, context }: any) =>
  JSON.stringify({
    event,
    path,
    data,
    context: context && {
      method: context.method,
      path: context.path,
      id: context.id,
      dispatch: context.dispatch,
      params: { transition: context.params?.transition }
    }
  })

/**
 * Several instances behind a load balancer: with `REDIS_URL` set, every service event goes through Redis
 * (feathers-sync) and each instance publishes it to its own sockets with the same channel rules.
 */
export const instanceSync = async (app: Application) => {
  const uri = app.get('redisUrl')
  if (!uri) return
  // Loaded only when configured: feathers-sync brings every adapter's client (~17 MB of RSS).
  const { default: sync } = await import('feathers-sync')
  app.configure(sync({ uri, key: 'internal-api:events', serialize, deserialize: JSON.parse } as any))
}

/**
 * With `REDIS_URL`, the tables written through this instance are announced to the others (batched per tick),
 * and theirs are applied here, so that no instance answers a page with a total another one made stale
 * (src/database/totals-cache.ts). While Redis is unreachable, `totals.cacheSeconds` bounds the staleness.
 */
export const shareTableChanges = async (app: Application) => {
  const uri = app.get('redisUrl')
  if (!uri) return
  const { Redis } = await import('ioredis')
  const origin = randomUUID()
  const publisher = new Redis(uri)
  const subscriber = new Redis(uri)
  for (const client of [publisher, subscriber]) {
    client.on('error', (error: Error) =>
      app.get('logger').warn({ err: error.message }, 'redis: table changes')
    )
  }
  let pending: Set<string> | undefined
  app.get('tableChanges').onChange((tables) => {
    if (!pending) {
      pending = new Set()
      setImmediate(() => {
        const message = JSON.stringify({ origin, tables: [...pending!] })
        pending = undefined
        publisher.publish(TABLE_CHANGES, message).catch(() => undefined)
      })
    }
    for (const table of tables) pending.add(table)
  })
  subscriber.on('message', (_channel: string, message: string) => {
    const change = JSON.parse(message)
    if (change.origin !== origin) app.get('totalsCache').changed(change.tables)
  })
  ;(app as any).tableChangeClients = {
    ready: subscriber.subscribe(TABLE_CHANGES),
    close: () => Promise.allSettled([publisher.quit(), subscriber.quit()])
  }
}

export const syncReady = async (app: Application) => {
  await (app as any).sync?.ready
  await (app as any).tableChangeClients?.ready
}

export const closeSync = async (app: Application) => {
  await (app as any).tableChangeClients?.close()
  const clients = (app as any).sync
  if (!clients) return
  await Promise.allSettled([clients.pub.quit(), clients.sub.quit()])
}

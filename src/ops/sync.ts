import { randomUUID } from 'node:crypto'
import { defaultServiceEvents, getServiceOptions } from '@feathersjs/feathers'
import type { Application } from '../declarations'
import { reportFault } from './faults'
import { createRedisLink, type RedisLink } from './redis-link'

// Channels under `redisPrefix` (REDIS_PREFIX): another deployment on the same Redis (staging beside production,
// parallel test runs) must never replay its events here.
const EVENTS = (app: Application) => `${app.get('redisPrefix')}:events`
const TABLE_CHANGES = (app: Application) => `${app.get('redisPrefix')}:table-changes`
/** Marks a context replayed from another instance: published here, never sent back to Redis. */
const REPLAYED = Symbol('replayed from another instance')

const links = new WeakMap<Application, RedisLink>()

/**
 * Only what the receiving instances need to publish an event crosses Redis: the record, the masked
 * dispatch and the transition taken — never params (tokens, connections, transactions).
 */
const serialize = (origin: string, event: string, path: string, data: unknown, context: any) =>
  JSON.stringify({
    origin,
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

const isRedisUrl = (uri: string) => {
  try {
    return ['redis:', 'rediss:'].includes(new URL(uri).protocol)
  } catch {
    return false
  }
}

/**
 * Several instances behind a load balancer: with `REDIS_URL` set, every service event is published here at once
 * (as without Redis) and sent through Redis to the other instances, which publish it to their own sockets with
 * the same channel rules. This replaces feathers-sync, whose Redis adapter made Redis a single point of failure:
 * local events went only through Redis (none while it is down), a failed publish was an unhandled rejection that
 * ended the process, a message for a service not registered yet broke its subscriber for good, and it could
 * neither start nor stop while Redis was down. Call before the services are registered (it wraps their `emit`).
 */
export const instanceSync = (app: Application) => {
  const uri = app.get('redisUrl')
  if (!uri) return
  // ioredis would fail with a bare "Invalid URL"; the URL itself may hold a password, so it is not repeated.
  if (!isRedisUrl(uri)) throw new Error('REDIS_URL must be a redis:// or rediss:// URL')
  const link = createRedisLink(app, uri)
  links.set(app, link)
  const origin = randomUUID()
  const eventsOf = new Map<string, readonly string[]>()
  app.mixins.push((service: any, path: string) => {
    const serviceEvents = getServiceOptions(service)?.serviceEvents ?? defaultServiceEvents
    eventsOf.set(path, serviceEvents)
    const emit = service.emit
    service.emit = function (event: string, data: unknown, context?: any) {
      if (serviceEvents.includes(event) && !context?.[REPLAYED]) {
        try {
          link.publish(EVENTS(app), serialize(origin, event, path, data, context))
        } catch (error) {
          reportFault(app, `sync: ${path} ${event}`, error)
        }
      }
      return emit.call(this, event, data, context)
    }
  })
  link.subscribe(EVENTS(app), (message) => {
    const { origin: from, event, path, data, context } = JSON.parse(message)
    if (from === origin) return
    // A service this instance does not have (yet, while it starts): nobody here can be sent its events. Only
    // service events are replayed, never an arbitrary name (`error` would throw, others reach app internals).
    const service: any = Object.hasOwn(app.services, path) ? (app.services as any)[path] : undefined
    if (!service || !eventsOf.get(path)?.includes(event)) return
    service.emit(event, data, { ...context, app, service, [REPLAYED]: true })
  })
}

/**
 * With `REDIS_URL`, the tables written through this instance are announced to the others (batched per tick),
 * and theirs are applied here, so that no instance answers a page with a total another one made stale
 * (src/database/totals-cache.ts). While Redis is unreachable, `totals.cacheSeconds` bounds the staleness.
 */
export const shareTableChanges = (app: Application) => {
  const link = links.get(app)
  if (!link) return
  const origin = randomUUID()
  let pending: Set<string> | undefined
  app.get('tableChanges').onChange((tables) => {
    if (!pending) {
      pending = new Set()
      setImmediate(() => {
        const message = JSON.stringify({ origin, tables: [...pending!] })
        pending = undefined
        link.publish(TABLE_CHANGES(app), message)
      })
    }
    for (const table of tables) pending.add(table)
  })
  link.subscribe(TABLE_CHANGES(app), (message) => {
    const change = JSON.parse(message)
    if (change.origin !== origin) app.get('totalsCache').changed(change.tables)
  })
}

/** `undefined` without `REDIS_URL`; else whether this instance is connected to Redis now. */
export const redisConnected = (app: Application) => links.get(app)?.up()

export const syncReady = async (app: Application) => {
  await links.get(app)?.ready
}

export const closeSync = async (app: Application) => {
  await links.get(app)?.close()
}

import { Redis, type RedisOptions } from 'ioredis'
import type { Application } from '../declarations'
import { reportFault } from './faults'

export interface RedisLink {
  /** Sends at once or not at all: while Redis is unreachable the message is dropped (and counted). */
  publish(channel: string, message: string): void
  /** `handler` gets every message on `channel`, from the next (re)connection on; a throw in it is reported. */
  subscribe(channel: string, handler: (message: string) => void): void
  /** Both connections ready and subscribed. */
  up(): boolean
  /** Settles once the first connection attempt has (or 2 s have passed): a start never waits for Redis. */
  ready: Promise<void>
  close(): Promise<void>
}

// No offline queue: a command fails at once while Redis is down instead of piling up (or waiting on
// shutdown); ioredis retries the connection forever (every 2 s at most) and we resubscribe on each `ready`.
const options: RedisOptions = {
  enableOfflineQueue: false,
  autoResubscribe: false,
  maxRetriesPerRequest: 1,
  commandTimeout: 2000,
  connectTimeout: 2000,
  retryStrategy: (times) => Math.min(times * 200, 2000)
}

/**
 * A Redis that stops answering (frozen, or a connection silently gone) keeps the client `ready` and a subscriber
 * deaf: a PING every few seconds that fails or times out drops the connection, and ioredis reconnects.
 */
export const heartbeat = (client: Redis, intervalMs = 5000) => {
  const timer = setInterval(() => {
    if (client.status === 'ready') client.ping().catch(() => client.disconnect(true))
  }, intervalMs).unref()
  client.once('end', () => clearInterval(timer))
  return timer
}

/** quit() waits for replies; a Redis that does not answer gets half a second, then the socket is dropped. */
export const closeClient = async (client: Redis) => {
  if (client.status === 'ready') {
    const waited = new Promise((resolve) => setTimeout(resolve, 500).unref())
    await Promise.race([client.quit().catch(() => undefined), waited])
  }
  client.disconnect()
}

/**
 * One publishing and one subscribing connection to Redis for what instances tell each other (events, table
 * changes). Redis is an accelerator here: nothing waits for it, nothing fails when it is down, and the
 * `api_redis_up{client="sync"}` gauge and `/health/ready` say whether it is connected.
 */
export const createRedisLink = (app: Application, uri: string): RedisLink => {
  const logger = app.get('logger')
  const metrics = app.get('metrics')
  const pub = new Redis(uri, options)
  const sub = new Redis(uri, options)
  const handlers = new Map<string, (message: string) => void>()
  let subscribed = false
  let state: 'starting' | 'up' | 'down' | 'closing' = 'starting'
  const down = (err: string) => {
    state = 'down'
    logger.warn({ err }, 'redis: unreachable, events and table changes stay on this instance')
  }

  // Transitions are logged, not each failed retry: while Redis is down that is one fact.
  const update = () => {
    if (state === 'closing') return
    const isUp = pub.status === 'ready' && subscribed
    metrics.redisUp.set({ client: 'sync' }, isUp ? 1 : 0)
    if (isUp && state !== 'up') {
      state = 'up'
      logger.info('redis: connected, events and table changes shared with other instances')
    } else if (!isUp && state === 'up') down('connection lost')
  }
  let settle: () => void
  const ready = new Promise<void>((resolve) => {
    settle = resolve
    setTimeout(resolve, 2000).unref()
  })

  const beats = [pub, sub].map((client) => heartbeat(client))
  for (const client of [pub, sub]) {
    client.on('error', (error: Error) => {
      if (state === 'starting') down(error.message)
      settle()
    })
    client.on('ready', update)
    client.on('close', () => {
      if (client === sub) subscribed = false
      update()
    })
  }
  sub.on('ready', () => {
    if (!handlers.size) return settle()
    sub.subscribe(...handlers.keys()).then(
      () => {
        subscribed = true
        update()
        settle()
      },
      // Connected but not subscribed is not up: start over with a new connection.
      () => sub.disconnect(true)
    )
  })
  sub.on('message', (channel: string, message: string) => {
    try {
      handlers.get(channel)?.(message)
    } catch (error) {
      reportFault(app, `redis: ${channel}`, error)
    }
  })
  update()

  return {
    publish(channel, message) {
      const dropped = () => metrics.redisDropped.inc({ channel })
      if (pub.status !== 'ready') return dropped()
      pub.publish(channel, message).catch(dropped)
    },
    subscribe(channel, handler) {
      handlers.set(channel, handler)
      if (sub.status === 'ready') sub.subscribe(channel).catch(() => sub.disconnect(true))
    },
    up: () => pub.status === 'ready' && subscribed,
    ready,
    async close() {
      state = 'closing'
      beats.forEach(clearInterval)
      await Promise.all([closeClient(pub), closeClient(sub)])
    }
  }
}

import type { Application } from '../declarations'

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

export const syncReady = async (app: Application) => (app as any).sync?.ready

export const closeSync = async (app: Application) => {
  const clients = (app as any).sync
  if (!clients) return
  await Promise.allSettled([clients.pub.quit(), clients.sub.quit()])
}

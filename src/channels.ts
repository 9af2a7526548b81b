import type { RealTimeConnection } from '@feathersjs/feathers'
import '@feathersjs/transport-commons'
import type { Application } from './declarations'
import { channelsFor } from './engine/policy'

/**
 * Connections join `everyone`, and once authenticated `authenticated`, `users/<id>` and `roles/<role>`.
 * A resource's events go only to the channels of those who could `get` the record (engine/policy.ts) —
 * never to every authenticated connection, the Feathers default.
 */
export const channels = (app: Application) => {
  app.on('connection', (connection: RealTimeConnection) => app.channel('everyone').join(connection))

  app.on('login', (authResult: any, { connection }: { connection?: RealTimeConnection }) => {
    if (!connection) return
    const user = authResult.user
    app.channel('authenticated').join(connection)
    app.channel(`users/${user.id}`).join(connection)
    for (const role of user.roles ?? []) app.channel(`roles/${role}`).join(connection)
  })

  app.on('logout', (_authResult: any, { connection }: { connection?: RealTimeConnection }) => {
    if (!connection) return
    for (const name of app.channels) if (name !== 'everyone') app.channel(name).leave(connection)
  })

  for (const resource of app.get('resources')) {
    if (!resource.realtime) continue
    // `data` is the dispatched (masked) record; hidden fields never decide who may see it.
    app.service(resource.path as any).publish((data: any) => app.channel(channelsFor(resource, data)))
  }
}

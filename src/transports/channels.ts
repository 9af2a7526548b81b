import type { RealTimeConnection } from '@feathersjs/feathers'
import '@feathersjs/transport-commons'
import type { Server, Socket } from 'socket.io'
import type { Application } from '../declarations'
import { channelsFor } from '../engine/runtime/policy'
import { keyHearsEvents } from '../engine/runtime/event-audience'
import type { ActiveApiKey } from '../auth/api-keys'
import { reportFault, safely } from '../ops/faults'
import { shapeHandshakeErrors, shapeSocketErrors } from './socket-errors'

/**
 * Who may see a record is decided on the dispatched record (masked, whole), not on the caller's response,
 * which `$select` may have narrowed.
 */
const dispatched = (data: any, context: any) => {
  const dispatch = context?.dispatch
  if (Array.isArray(dispatch)) return dispatch.find((record) => record?.id === data?.id) ?? data
  return dispatch?.id === data?.id ? dispatch : data
}

/** The Socket.io socket behind each Feathers connection, to tell it when its session ends. */
const sockets = new WeakMap<RealTimeConnection, Socket>()

export const socketOf = (connection: RealTimeConnection) => sockets.get(connection)

export const trackSockets = (app: Application) => (io: Server) => {
  // Errors hidden from a client (src/transports/socket-errors.ts) are logged with what the transport made of them.
  const log = (error: any) =>
    app
      .get('logger')
      .error({ err: { message: error?.message, stack: error?.stack } }, 'unexpected socket error')
  shapeHandshakeErrors(io, app, log)
  io.use((socket, next) => {
    const connection = (socket as any).feathers
    connection.ip = socket.handshake.address
    sockets.set(connection, socket)
    shapeSocketErrors(socket, log)
    next()
  })
}

const identityChannels = (app: Application, connection: any): string[] => {
  if (connection.apiKey) {
    const key = connection.apiKey as ActiveApiKey
    const heard = app.get('resources').filter((resource) => keyHearsEvents(resource, key))
    return ['apikeys', ...heard.map((resource) => `readers/${resource.name}`)]
  }
  const user = connection.user
  if (!user) return []
  return ['authenticated', `users/${user.id}`, ...(user.roles ?? []).map((role: string) => `roles/${role}`)]
}

/**
 * Connections join `everyone`, and once authenticated `authenticated`, `users/<id>` and `roles/<role>` (API
 * keys: `readers/<resource>` per resource they may `get`, src/engine/runtime/event-audience.ts). A resource's
 * events go only to the channels of those who could `get` the record (engine/policy.ts) — never to every
 * authenticated connection, the Feathers default. When a session is revoked its sockets leave every channel but
 * `everyone` and are told so; when a user's roles change, their sockets' role channels follow.
 */
export const channels = (app: Application) => {
  const leaveIdentityChannels = (connection: RealTimeConnection) => {
    for (const name of app.channels) if (name !== 'everyone') app.channel(name).leave(connection)
  }
  const joinIdentityChannels = (connection: RealTimeConnection) => {
    for (const name of identityChannels(app, connection)) app.channel(name).join(connection)
  }
  // No channel exists before the first connection or event (app.channel() refuses an empty list).
  const connectionsWhere = (match: (connection: any) => boolean): any[] =>
    app.channels.length ? app.channel(app.channels).connections.filter(match) : []
  // Every listener here runs inside someone's emit (a service call, a Redis message): a failure is reported,
  // never thrown back into the caller or left as an unhandled rejection (src/ops/faults.ts).
  const on = (
    emitter: { on: (...args: any[]) => unknown },
    event: string,
    listener: (...args: any[]) => unknown
  ) => emitter.on(event, safely(app, `channels: ${event}`, listener))

  on(app, 'connection', (connection: RealTimeConnection) => app.channel('everyone').join(connection))

  on(app, 'login', (authResult: any, { connection }: { connection?: any }) => {
    if (!connection) return
    // A new login replaces the connection's identity: the old one's channels go first.
    leaveIdentityChannels(connection)
    connection.sessionId = authResult.authentication?.payload?.sid
    if (authResult.apiKey) connection.apiKey = authResult.apiKey
    joinIdentityChannels(connection)
  })

  on(app, 'logout', (_authResult: any, { connection }: { connection?: RealTimeConnection }) => {
    if (!connection) return
    // The session it had is over for this socket: its revocation event must not touch a later login.
    delete (connection as any).sessionId
    // Feathers' own logout handling leaves every channel; an anonymous socket still gets public events.
    process.nextTick(
      safely(app, 'channels: logout', () => {
        leaveIdentityChannels(connection)
        app.channel('everyone').join(connection)
      })
    )
  })

  on(app.service('sessions'), 'patched', async (session: any) => {
    if (!session.revokedAt) return
    for (const connection of connectionsWhere((c) => c.sessionId === session.id)) {
      await app.defaultAuthentication!().handleConnection('disconnect', connection as any)
      // Logged out, or logged in again, while that ran: not this session's socket any more.
      if (connection.sessionId !== session.id) continue
      delete connection.sessionId
      leaveIdentityChannels(connection)
      sockets
        .get(connection)
        ?.emit('authentication revoked', { reason: 'session ended', sessionId: session.id })
    }
  })

  // A revoked key's sockets and a removed user's sockets drop out of every channel at once.
  on(app.service('api-keys'), 'removed', async (key: any) => {
    for (const connection of connectionsWhere((c) => c.apiKey?.id === key.id)) {
      await app.defaultAuthentication!().handleConnection('disconnect', connection as any)
      leaveIdentityChannels(connection)
      sockets.get(connection)?.emit('authentication revoked', { reason: 'API key revoked' })
    }
  })
  on(app.service('users'), 'removed', (user: any) => {
    for (const connection of connectionsWhere((c) => c.user?.id === user.id)) {
      leaveIdentityChannels(connection)
      delete connection.user
      delete connection.authentication
      sockets.get(connection)?.emit('authentication revoked', { reason: 'user removed' })
    }
  })

  on(app.service('users'), 'patched', (user: any) => {
    for (const connection of connectionsWhere((c) => c.user?.id === user.id)) {
      leaveIdentityChannels(connection)
      connection.user = { ...connection.user, roles: user.roles }
      joinIdentityChannels(connection)
    }
  })

  for (const resource of app.get('resources')) {
    if (!resource.realtime) continue
    app.service(resource.path as any).publish((data: any, context: any) => {
      try {
        const channels = channelsFor(resource, dispatched(data, context))
        // API keys read records, they are nobody's owner: not told of owner-only events.
        if (resource.realtime === 'owner') return app.channel(channels)
        return [app.channel(channels), app.channel(`readers/${resource.name}`)]
      } catch (error) {
        // Feathers would only debug-log it: the event is lost, so it is reported.
        reportFault(app, `publish: ${resource.path}`, error)
        return undefined
      }
    })
  }
}

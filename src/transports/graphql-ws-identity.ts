import type http from 'node:http'
import type { Params } from '@feathersjs/feathers'
import type { WebSocket } from 'ws'
import type { Application } from '../declarations'
import { dispatched } from '../engine/graphql/events'
import { safely } from '../ops/faults'

/** One graphql-ws connection: its socket, and the caller `connection_init` authenticated (absent before). */
export interface WsConnection {
  socket: WebSocket
  request: http.IncomingMessage
  /** Mutable: a role change is written here (`followIdentities`). */
  params?: Params & { user?: any; apiKey?: any }
  /** The close code, once the socket has closed. */
  closeCode?: number
}

/** The socket is gone for good: the client must authenticate again (graphql-ws does not retry 4401). */
export const IDENTITY_ENDED = 4401

/**
 * Keeps each connection's identity as it is now, as Socket.io's channels do (src/transports/channels.ts): a
 * revoked session, a removed API key or a removed user closes its sockets with 4401 (their subscriptions end);
 * a role change is written into the connection's params, which every subscription judges each event by
 * (src/engine/graphql/events.ts), so a demoted user stops, and a promoted one starts, receiving at once. With
 * REDIS_URL these events come from other instances too (src/ops/sync.ts).
 */
export const followIdentities = (app: Application, live: Set<WsConnection>) => {
  const where = (match: (params: NonNullable<WsConnection['params']>) => boolean) =>
    [...live].filter((connection) => connection.params && match(connection.params))
  const closeWhere = (match: (params: NonNullable<WsConnection['params']>) => boolean, reason: string) => {
    for (const connection of where(match)) connection.socket.close(IDENTITY_ENDED, reason)
  }
  const on = (path: string, event: string, listener: (record: any, context?: any) => void) =>
    app.service(path as any).on(event, safely(app, `graphql-ws: ${path} ${event}`, listener))

  on('sessions', 'patched', (session) => {
    if (session.revokedAt)
      closeWhere((params) => params.authentication?.payload?.sid === session.id, 'Session ended')
  })
  on('api-keys', 'removed', (key) => closeWhere((params) => params.apiKey?.id === key.id, 'API key removed'))
  on('users', 'removed', (user) => closeWhere((params) => params.user?.id === user.id, 'User removed'))
  on('users', 'patched', (data, context) => {
    const user = dispatched(data, context)
    if (!Array.isArray(user?.roles)) return
    for (const connection of where((params) => params.user?.id === user.id)) {
      // In place: the subscriptions' contexts hold this very params object.
      connection.params!.user = { ...connection.params!.user, roles: user.roles }
    }
  })
}

import type { HookContext, RealTimeConnection } from '@feathersjs/feathers'
import type { Server, Socket } from 'socket.io'
import type { Application } from '../declarations'
import { safely } from '../ops/faults'

type Channel = { connections: RealTimeConnection[]; dataFor(connection: RealTimeConnection): unknown }

/**
 * Feathers' own dispatcher calls `socket.emit` once per connection, so an event to 200 sockets is
 * JSON-encoded 200 times. This one groups the connections that receive the same data and sends each group
 * one socket.io broadcast (every socket is in the room of its own id): encoded once, written to each. Which
 * connections receive which data is decided exactly as Feathers does (`channel.dataFor`, then the
 * dispatched result, one record of a multi-record result per event).
 */
export const broadcastDispatcher =
  (io: () => Server, socketOf: (connection: RealTimeConnection) => Socket | undefined) =>
  (event: string, channel: Channel, context: HookContext, data?: unknown) => {
    const eventName = `${context.path || ''} ${event}`.trim()
    const groups = new Map<unknown, string[]>()
    for (const connection of channel.connections) {
      const socket = socketOf(connection)
      if (!socket) continue
      let result = channel.dataFor(connection) || context.dispatch || context.result
      // A multi-record result sends one event per record: this event's record.
      if (!Array.isArray(data) && Array.isArray(context.result) && Array.isArray(result))
        result = result.find((record) => record === data || record?.id === (data as any)?.id)
      const ids = groups.get(result)
      if (ids) ids.push(socket.id)
      else groups.set(result, [socket.id])
    }
    for (const [result, ids] of groups) io().to(ids).emit(eventName, result)
  }

/**
 * Puts the broadcasting dispatcher in the place of the one `@feathersjs/transport-commons` registered: call it
 * right after configuring `@feathersjs/socketio`, when that dispatcher is the only `publish` listener (metrics
 * and others registered later stay).
 */
export const useBroadcastDispatcher = (
  app: Application,
  socketOf: (connection: RealTimeConnection) => Socket | undefined
) => {
  const transport = app.listeners('publish')
  if (transport.length !== 1)
    throw new Error(`expected one publish listener (Feathers'), found ${transport.length}`)
  app.removeListener('publish', transport[0] as any)
  // Feathers would swallow a dispatch failure silently: it is reported instead.
  app.on('publish', safely(app, 'publish', broadcastDispatcher(() => (app as any).io, socketOf) as any))
}

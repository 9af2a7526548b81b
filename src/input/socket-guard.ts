import { MethodNotAllowed } from '@feathersjs/errors'
import { getServiceOptions } from '@feathersjs/feathers'
import type { Server } from 'socket.io'
import type { Application } from '../declarations'

// Socket.io's reserved events (never sent by a client; `error` is not one of them: it is answered like a typo).
const RESERVED = new Set([
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'newListener',
  'removeListener'
])

/**
 * Feathers listens only for the events named after service methods; any other event (`toString`,
 * `constructor`, a typo) was never answered and left the client's callback waiting. It now gets a 405 in
 * the error shape every socket error has.
 */
export const socketInputGuard = (app: Application) => (io: Server) => {
  const methods = () =>
    new Set<string>(
      Object.keys(app.services).flatMap((path) => getServiceOptions(app.service(path as any)).methods ?? [])
    )
  let known: Set<string> | undefined
  io.on('connection', (socket) => {
    socket.onAny((event: unknown, ...args: unknown[]) => {
      const names = (known ??= methods())
      if (typeof event === 'string' && (names.has(event) || RESERVED.has(event))) return
      const callback = args[args.length - 1]
      if (typeof callback !== 'function') return
      const name = typeof event === 'string' ? event.slice(0, 64) : typeof event
      callback(new MethodNotAllowed(`Method '${name}' is not a service method`).toJSON())
    })
  })
}

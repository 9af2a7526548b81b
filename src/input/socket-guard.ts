import { MethodNotAllowed } from '@feathersjs/errors'
import { getServiceOptions } from '@feathersjs/feathers'
import type { Server, Socket } from 'socket.io'
import type { Application } from '../declarations'
import { invalidInput } from './limits'

// Socket.io's reserved events (never sent by a client; `error` is not one of them: it is answered like a typo).
const RESERVED = new Set([
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'newListener',
  'removeListener'
])

// Where each method's query is among the arguments after the event name (the path comes first).
const QUERY_AT: Record<string, number> = { find: 1, get: 2, create: 2, remove: 2, update: 3, patch: 3 }

const isQuery = (value: unknown) =>
  value === undefined || value === null || (typeof value === 'object' && !Array.isArray(value))

/**
 * Feathers copies a socket call's query into an object: `5` and `[]` became no query at all and `'ab'` the keys
 * `0` and `1`. A query that is no object is a 400 saying so, and the call goes no further.
 */
const refuseQueriesThatAreNoObject = (socket: Socket) =>
  socket.use(([event, ...args], next) => {
    const at = QUERY_AT[event]
    const callback = args[args.length - 1]
    if (at === undefined || typeof callback !== 'function' || at >= args.length - 1 || isQuery(args[at]))
      return next()
    callback(invalidInput('query', [], 'must be an object').toJSON())
  })

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
    refuseQueriesThatAreNoObject(socket)
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

import { GeneralError } from '@feathersjs/errors'
import type { Server, Socket } from 'socket.io'
import { databaseFault } from '../database/faults'

type Middleware = (socket: Socket, next: (error?: Error) => void) => void

const SHAPE = ['name', 'message', 'code', 'className', 'data', 'errors'] as const

/** What @feathersjs/transport-commons made of a Feathers error (its `toJSON()`), as opposed to any other error. */
const isFeathersError = (error: any) =>
  typeof error?.name === 'string' &&
  typeof error.message === 'string' &&
  typeof error.code === 'number' &&
  typeof error.className === 'string'

/**
 * The error a Socket.io client gets, as REST sends it (src/transports/http.ts): a Feathers error's JSON, and for anything
 * else a plain 500 "Internal server error" — the transport would send its message, and its stack outside
 * production. What was hidden goes to `log`.
 */
export const socketClientError = (error: any, log: (error: unknown) => void) => {
  if (!isFeathersError(error)) {
    log(error)
    return new GeneralError('Internal server error').toJSON()
  }
  const shaped: Record<string, unknown> = {}
  for (const key of SHAPE) if (error[key] !== undefined) shaped[key] = error[key]
  return shaped
}

/** Reshapes the error of every acknowledged call on `socket` (service methods, lookups, unknown paths). */
export const shapeSocketErrors = (socket: Socket, log: (error: unknown) => void) =>
  socket.use((packet, next) => {
    const last = packet.length - 1
    const ack = packet[last]
    if (typeof ack === 'function') {
      packet[last] = (error: unknown, ...results: unknown[]) =>
        ack(error ? socketClientError(error, log) : error, ...results)
    }
    next()
  })

/**
 * A connection's middlewares (Feathers' handshake authentication among them) fail through socket.io's
 * `connect_error`, which carries only an error's `message` and `data`: each middleware's error becomes the REST
 * error object, in `data`, its message as the message. Database faults are translated as for REST (503/507).
 * Call after Feathers has added its middlewares (in the socketio configure callback).
 */
export const shapeHandshakeErrors = (io: Server, app: object, log: (error: unknown) => void) => {
  // socket.io keeps a namespace's middlewares in `_fns`, run in order for every new socket.
  const namespace = io.of('/') as unknown as { _fns: Middleware[] }
  namespace._fns = namespace._fns.map(
    (middleware): Middleware =>
      (socket, next) =>
        middleware(socket, (error?: any) => {
          if (!error) return next()
          const shaped = socketClientError(databaseFault(error, app) ?? error, log)
          next(Object.assign(new Error(String(shaped.message)), { data: shaped }))
        })
  )
}

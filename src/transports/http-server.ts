import http, { type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Server as SocketIoServer } from 'socket.io'
import type { Application } from '../declarations'
import { answerClientError } from '../input/client-error'
import { graphqlSubscriptions } from './graphql-ws'

/** The `server` settings (src/configuration.ts): how many connections, and how long each may take or idle. */
export interface ConnectionLimits {
  maxConnections: number
  headersTimeout: number
  requestTimeout: number
  keepAliveTimeout: number
}

/**
 * koa's `app.listen`, on a server whose connections are bounded: at most `maxConnections` at once (more are
 * closed as they arrive, so open files never run out and connected clients keep being served), headers within
 * `headersTimeout`, a whole request within `requestTimeout`, and an idle keep-alive connection kept
 * `keepAliveTimeout`. Returns the server and its graceful `close`.
 */
export const listen = async (app: Application, port: number, host?: string) => {
  const limits: ConnectionLimits = app.get('server')
  const server = http.createServer(
    {
      requestTimeout: limits.requestTimeout,
      // Node refuses a header timeout longer than the request timeout.
      headersTimeout: Math.min(limits.headersTimeout, limits.requestTimeout),
      keepAliveTimeout: limits.keepAliveTimeout,
      // How often Node looks for connections past those timeouts: by default every 30 s, which held
      // slow-header connections ~90 s.
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeout)
    },
    app.callback()
  )
  server.maxConnections = limits.maxConnections
  // Set up first: Socket.io then wraps the request listeners it finds, so the ones below see its requests too.
  await app.setup(server)
  // GraphQL subscriptions share the port: websocket upgrades to /graphql (Socket.io keeps /socket.io/).
  const closeSubscriptions = graphqlSubscriptions(app, server)
  // Node's header timeout counts from a request's first byte: a connection that never sends one would be kept
  // until the client goes. It gets as long as headers do; each request clears it (Node then times keep-alive).
  server.on('connection', (socket: Socket) => socket.setTimeout(limits.headersTimeout))
  server.on('request', (request: http.IncomingMessage) => request.socket.setTimeout(0))
  // What Node's parser refuses gets the API's error shape instead of a bare status line.
  server.on('clientError', (error, socket) => answerClientError(error, socket as Socket))
  const close = drainable(server, Math.min(1000, limits.keepAliveTimeout))
  // Not `app.listen`, which would also set `app.server` for app.teardown to close: `close` does (src/server.ts).
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  return {
    server,
    close: () => {
      void closeSubscriptions()
      return close(app.io as SocketIoServer | undefined)
    }
  }
}

/**
 * A graceful close for `server`: it stops accepting at once; every request still to be answered on an open
 * connection is answered with `Connection: close` (its client then reconnects elsewhere); requests in flight
 * finish; Socket.io clients are disconnected; a connection waiting for its next request is closed after
 * `graceMs` (closing it at once would reset a request its client is sending just then). Resolves once the last
 * connection has closed.
 */
const drainable = (server: Server, graceMs: number) => {
  let draining = false
  // Connections that carry HTTP requests, with how many of their responses are still to finish.
  const busy = new Map<Socket, number>()
  const pending = new Set<ServerResponse>()
  const closeAfter = (response: ServerResponse) => {
    if (!response.headersSent) response.setHeader('Connection', 'close')
  }
  server.on('connection', (socket: Socket) => {
    busy.set(socket, 0)
    socket.once('close', () => busy.delete(socket))
  })
  // A websocket is Socket.io's to close, with its own closing handshake.
  server.on('upgrade', (request: http.IncomingMessage) => {
    request.socket.setTimeout(0)
    busy.delete(request.socket)
  })
  server.on('request', (request: http.IncomingMessage, response: ServerResponse) => {
    const socket = request.socket
    if (busy.has(socket)) busy.set(socket, busy.get(socket)! + 1)
    pending.add(response)
    response.once('close', () => {
      pending.delete(response)
      if (busy.has(socket)) busy.set(socket, busy.get(socket)! - 1)
    })
    if (draining) closeAfter(response)
  })
  // Node's close() would destroy idle keep-alive connections at once; they get the grace below instead.
  server.closeIdleConnections = () => {}
  const closeIdle = () => busy.forEach((responses, socket) => responses === 0 && socket.destroy())

  return (io?: SocketIoServer) =>
    new Promise<void>((resolve, reject) => {
      draining = true
      pending.forEach(closeAfter)
      server.close((error) => (error ? reject(error) : resolve()))
      if (io) {
        io.disconnectSockets(true)
        io.engine.close()
      }
      // Until the server has closed: a connection that stayed idle for the grace period goes.
      const timer = setInterval(closeIdle, graceMs).unref()
      server.once('close', () => clearInterval(timer))
    })
}

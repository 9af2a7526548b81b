import type http from 'node:http'
import type { Params } from '@feathersjs/feathers'
import { CloseCode, makeServer } from 'graphql-ws'
import { WebSocketServer, type WebSocket } from 'ws'
import type { Application } from '../declarations'
import { graphqlContext } from '../engine/graphql/context'
import { refuseDocument } from '../engine/graphql/document-limits'
import { formatGraphqlError } from '../engine/graphql/errors'
import { GRAPHQL_PATH, authenticateCaller, graphqlRules } from './graphql'
import { followIdentities, type WsConnection as Extra } from './graphql-ws-identity'
import { operationRecorder } from './graphql-ws-operations'
import { isSameOrigin } from './http'

const BEARER = /^Bearer +(\S+) *$/i

/** `connection_init`'s payload: `{authorization: 'Bearer …'}` or `{'x-api-key': …}` (also `apiKey`), as on HTTP. */
const credentialsOf = (payload: Record<string, unknown> | undefined) => {
  const authorization = payload?.authorization ?? payload?.Authorization
  const key = payload?.['x-api-key'] ?? payload?.apiKey
  if (typeof authorization === 'string') {
    const token = BEARER.exec(authorization)?.[1]
    return token ? { strategy: 'jwt', accessToken: token } : null
  }
  if (typeof key === 'string') return { strategy: 'apiKey', key }
  return undefined
}

/**
 * Subscriptions over the `graphql-transport-ws` protocol (graphql-ws) on `/graphql`, for the schema the HTTP
 * endpoint serves. The connection authenticates once in `connection_init` (a bad credential closes it with 4403);
 * it then follows its identity (src/transports/graphql-ws-identity.ts). Operations are logged and counted
 * (src/transports/graphql-ws-operations.ts).
 */
export const graphqlSubscriptions = (app: Application, server: http.Server) => {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 })
  const logger = app.get('logger')
  const formatError = formatGraphqlError(
    (error) => logger.error({ err: error }, 'graphql internal error'),
    app.get('graphqlSchema')
  )
  const operations = operationRecorder(app)
  const origins: string[] = app.get('origins')
  server.on('upgrade', (request: http.IncomingMessage, socket, head) => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== GRAPHQL_PATH) return
    // The same origins as Socket.io: the configured ones and pages this server served itself.
    const origin = request.headers.origin
    if (origin && !origins.includes(origin) && !isSameOrigin(origin, request.headers.host)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n')
      return
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request))
  })
  const gql = makeServer<Record<string, unknown> | undefined, Extra>({
    schema: app.get('graphqlSchema'),
    validate: (schema, document) => app.get('graphqlDocuments').validate(schema, document, graphqlRules(app)),
    onConnect: async (ctx) => {
      const credentials = credentialsOf(ctx.connectionParams)
      if (credentials === null) return false
      const base: Params & Record<string, unknown> = {
        provider: 'graphql',
        ip: ctx.extra.request.socket.remoteAddress
      }
      try {
        ctx.extra.params = await authenticateCaller(
          app,
          credentials ? { ...base, authentication: credentials } : base
        )
        return true
      } catch {
        return false
      }
    },
    onSubscribe: (ctx, id, payload) => {
      operations.subscribe(ctx.extra, id, payload.operationName)
      return refuseDocument(payload.query, app.get('graphql').maxDocumentBytes)
    },
    context: (ctx) => graphqlContext(app as any, ctx.extra.params ?? { provider: 'graphql' }) as any,
    onOperation: (ctx, id, _payload, args, result) => operations.executed(ctx.extra, id, args, result),
    onNext: (ctx, id, _payload, _args, result) => {
      const formatted = result.errors ? { ...result, errors: result.errors.map(formatError) } : undefined
      operations.sent(ctx.extra, id, formatted?.errors)
      return formatted
    },
    onError: (ctx, id, _payload, errors) => {
      const formatted = errors.map(formatError)
      operations.failed(ctx.extra, id, formatted)
      return formatted
    },
    onComplete: (ctx, id) => operations.completed(ctx.extra, id)
  })
  const live = new Set<Extra>()
  wss.on('connection', (socket: WebSocket, request: http.IncomingMessage) => {
    const extra: Extra = { socket, request }
    live.add(extra)
    const closed = gql.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) =>
            socket.send(data, (error) => (error ? reject(error) : resolve()))
          ),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', async (message) => {
            try {
              await handle(String(message))
            } catch (error) {
              logger.error({ err: error }, 'graphql websocket error')
              socket.close(CloseCode.InternalServerError, 'Internal server error')
            }
          })
      },
      extra
    )
    socket.once('close', (code, reason) => {
      extra.closeCode = code
      live.delete(extra)
      void closed(code, String(reason))
    })
  })
  followIdentities(app, live)
  return () =>
    new Promise<void>((resolve) => {
      for (const client of wss.clients) client.close(1001, 'Server shutting down')
      wss.close(() => resolve())
    })
}

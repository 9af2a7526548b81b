import { getOperationAST, type ExecutionArgs, type GraphQLFormattedError } from 'graphql'
import { WebSocket } from 'ws'
import type { Application } from '../declarations'
import { identityOf } from '../engine/pipeline/request-context'
import { requestLogger } from '../logger'
import { loggable, statusOf } from './graphql'
import type { WsConnection } from './graphql-ws-identity'

const TRANSPORT = 'graphql-ws'

interface Operation {
  started: bigint
  name?: string
  type?: string
  /** The subscription's root field (one per subscription): a label from the schema, never the client's text. */
  field?: string
  /** Set once the operation is a running subscription. */
  subscribed?: boolean
  events: number
  status: number
  codes: string[]
  failed?: boolean
}

const isAsyncIterable = (value: unknown) => typeof (value as any)?.[Symbol.asyncIterator] === 'function'

const since = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e9

const codesOf = (errors: readonly GraphQLFormattedError[]) => [
  ...new Set(errors.map((error) => String(error.extensions?.code)))
]

/**
 * Logs and counts operations over the websocket the way src/transports/graphql.ts does over HTTP, under
 * `transport: 'graphql-ws'`. A query or mutation (or a subscription refused before it runs) is one
 * `graphql operation` line and one `api_request_duration_seconds` sample when it ends. A subscription is a
 * `graphql subscription started` line and sample (status 200, the time to set it up), and a
 * `graphql subscription ended` line when it ends (`end`: `complete`, `error` or `closed` with the socket's close
 * code), with the events it delivered and its lifetime; `api_graphql_subscriptions` holds the open ones and
 * `api_graphql_subscription_events_total` counts what they delivered. The graphql-ws hooks call these.
 */
export const operationRecorder = (app: Application) => {
  const open = new WeakMap<WsConnection, Map<string, Operation>>()
  const operationsOf = (connection: WsConnection) => {
    let operations = open.get(connection)
    if (!operations) open.set(connection, (operations = new Map()))
    return operations
  }
  const fields = (connection: WsConnection, operation: Operation) => ({
    transport: TRANSPORT,
    operation: operation.name ?? null,
    operationType: operation.type ?? null,
    identity: identityOf(connection.params ?? {}),
    ...(operation.field && { subscription: operation.field })
  })

  /** A query, a mutation, or an operation refused before it ran: one line and one sample, at its end. */
  const finishSingle = (connection: WsConnection, operation: Operation) => {
    const seconds = since(operation.started)
    const metrics = app.get('metrics')
    const labels = { transport: TRANSPORT, service: 'graphql', method: operation.type ?? 'invalid' }
    metrics?.requestDuration.observe({ ...labels, status: String(operation.status) }, seconds)
    if (operation.status >= 500) metrics?.requestErrors.inc(labels)
    requestLogger(app.get('logger')).info(
      {
        ...fields(connection, operation),
        status: operation.status,
        codes: operation.codes,
        durationMs: seconds * 1000
      },
      'graphql operation'
    )
  }

  const finishSubscription = (connection: WsConnection, operation: Operation) => {
    app.get('metrics')?.graphqlSubscriptions.dec({ subscription: operation.field })
    const closed = connection.socket.readyState !== WebSocket.OPEN
    requestLogger(app.get('logger')).info(
      {
        ...fields(connection, operation),
        end: operation.failed ? 'error' : closed ? 'closed' : 'complete',
        ...(closed && connection.closeCode && { closeCode: connection.closeCode }),
        codes: operation.codes,
        events: operation.events,
        durationMs: since(operation.started) * 1000
      },
      'graphql subscription ended'
    )
  }

  return {
    subscribe(connection: WsConnection, id: string, operationName: unknown) {
      const operation = {
        started: process.hrtime.bigint(),
        name: loggable(operationName),
        events: 0,
        status: 200,
        codes: []
      }
      operationsOf(connection).set(id, operation)
    },

    /** It ran: a subscription starts here; a single result is recorded when it has been sent. */
    executed(connection: WsConnection, id: string, args: ExecutionArgs, result: unknown) {
      const operation = operationsOf(connection).get(id)
      if (!operation) return
      const ast = getOperationAST(args.document, args.operationName)
      operation.name = loggable(ast?.name?.value ?? args.operationName)
      operation.type = ast?.operation
      if (!isAsyncIterable(result)) return
      const selection = ast?.selectionSet.selections[0]
      operation.field = selection?.kind === 'Field' ? selection.name.value : undefined
      operation.subscribed = true
      const seconds = since(operation.started)
      const metrics = app.get('metrics')
      metrics?.requestDuration.observe(
        { transport: TRANSPORT, service: 'graphql', method: 'subscription', status: '200' },
        seconds
      )
      metrics?.graphqlSubscriptions.inc({ subscription: operation.field })
      requestLogger(app.get('logger')).info(
        { ...fields(connection, operation), status: 200, codes: [], durationMs: seconds * 1000 },
        'graphql subscription started'
      )
    },

    /** A result sent: one event of a subscription, or the single result of a query or mutation. */
    sent(connection: WsConnection, id: string, errors: readonly GraphQLFormattedError[] | undefined) {
      const operation = operationsOf(connection).get(id)
      if (!operation) return
      if (operation.subscribed) {
        operation.events += 1
        app.get('metrics')?.graphqlEvents.inc({ subscription: operation.field })
      }
      if (errors?.length && !operation.subscribed) {
        operation.status = statusOf(errors)
        operation.codes = codesOf(errors)
      }
    },

    /** Refused before it ran (document, validation, limits), or a subscription's stream failed. */
    failed(connection: WsConnection, id: string, errors: readonly GraphQLFormattedError[]) {
      const operations = operationsOf(connection)
      const operation = operations.get(id)
      if (!operation) return
      operation.status = statusOf(errors)
      operation.codes = codesOf(errors)
      operation.failed = true
      // graphql-ws calls no `complete` for an operation that never ran.
      if (!operation.type) {
        operations.delete(id)
        finishSingle(connection, operation)
      }
    },

    /** Its end: the client completed it, the stream ended or failed, or the socket closed. */
    completed(connection: WsConnection, id: string) {
      const operations = operationsOf(connection)
      const operation = operations.get(id)
      if (!operation) return
      operations.delete(id)
      if (operation.subscribed) finishSubscription(connection, operation)
      else finishSingle(connection, operation)
    }
  }
}

import type { HookContext } from '@feathersjs/feathers'
import type { ResourceDeclaration } from '../declarations/declaration'
import { actsAsApiKey, readableBy } from '../pipeline/readable'
import { keyHearsEvents } from '../runtime/event-audience'
import { ownerField } from '../runtime/policy'
import { forgetLoaded, type GraphqlContext } from './context'

type Row = Record<string, any>

/** Events a subscriber may fall behind by before its subscription ends (a client that stopped reading). */
const MAX_QUEUED = 1000

/** The record as dispatched to every audience (masked, whole), not the writer's own (`$select`-narrowed) answer. */
export const dispatched = (data: Row, context?: HookContext) => {
  const dispatch = context?.dispatch
  if (Array.isArray(dispatch)) return dispatch.find((record) => record?.id === data?.id) ?? data
  return dispatch?.id === data?.id ? dispatch : data
}

/**
 * Whether the subscriber receives an event of this record: the audience Socket.io's channels give it
 * (src/engine/runtime/policy.ts `channelsFor`, src/engine/runtime/event-audience.ts) — those who may `get` the
 * record, only its owner with `realtime: owner`. Judged per event from the subscriber's params as they are then,
 * so a role change the transport writes into them (src/transports/graphql-ws-identity.ts) applies at once.
 */
const receives = (context: GraphqlContext, resource: ResourceDeclaration, record: Row) => {
  const hookContext = { app: context.app, params: context.params } as HookContext
  if (actsAsApiKey(hookContext))
    return keyHearsEvents(resource, hookContext.params.apiKey) && readableBy(hookContext, resource)(record)
  if (resource.realtime === 'owner') {
    const user = hookContext.params.user
    return Boolean(user) && record[ownerField(resource)!] === user!.id
  }
  return readableBy(hookContext, resource)(record)
}

/**
 * A service's events (standard or declared custom ones) as an async iterator, holding only the records the
 * subscriber may receive (`receives`). A removed record is judged as it was, soft-deleted or not.
 */
export const recordEvents = (
  context: GraphqlContext,
  resource: ResourceDeclaration,
  events: string[]
): AsyncIterableIterator<Row> => {
  const service = context.app.service(resource.path)
  const queue: Row[] = []
  let wake: (() => void) | undefined
  let done = false
  const listeners = events.map((event) => {
    const listener = (data: Row, hookContext?: HookContext) => {
      const record = dispatched(data, hookContext)
      const judged = event === 'removed' && resource.softDelete ? { ...record, deletedAt: null } : record
      if (done || !record || !receives(context, resource, judged)) return
      if (queue.length >= MAX_QUEUED) return stop()
      queue.push(record)
      wake?.()
    }
    service.on(event, listener)
    return [event, listener] as const
  })
  const stop = () => {
    done = true
    for (const [event, listener] of listeners) service.off(event, listener)
    wake?.()
  }
  return {
    [Symbol.asyncIterator]() {
      return this
    },
    async next() {
      while (!queue.length && !done) await new Promise<void>((resolve) => (wake = resolve))
      wake = undefined
      if (!queue.length) return { done: true, value: undefined }
      // Each event's relations are read as they are now.
      forgetLoaded(context)
      return { done: false, value: queue.shift()! }
    },
    async return() {
      stop()
      return { done: true, value: undefined }
    },
    async throw(error: unknown) {
      stop()
      throw error
    }
  }
}

import type { HookContext } from '@feathersjs/feathers'
import type { ResourceDeclaration } from '../declarations/declaration'
import { readableBy } from '../pipeline/readable'
import { forgetLoaded, type GraphqlContext } from './context'

type Row = Record<string, any>

/** Events a subscriber may fall behind by before its subscription ends (a client that stopped reading). */
const MAX_QUEUED = 1000

/** The record as dispatched to every audience (masked, whole), not the writer's own (`$select`-narrowed) answer. */
const dispatched = (data: Row, context?: HookContext) => {
  const dispatch = context?.dispatch
  if (Array.isArray(dispatch)) return dispatch.find((record) => record?.id === data?.id) ?? data
  return dispatch?.id === data?.id ? dispatch : data
}

/**
 * A service's events as an async iterator, holding only the records the subscriber may `get` (its grants,
 * owner scope and `where`, or an API key's scopes): the audience Socket.io's channels give the same event
 * (src/engine/runtime/policy.ts `channelsFor`). A removed record is judged as it was, soft-deleted or not.
 */
export const recordEvents = (
  context: GraphqlContext,
  resource: ResourceDeclaration,
  events: string[]
): AsyncIterableIterator<Row> => {
  const service = context.app.service(resource.path)
  const readable = readableBy({ app: context.app, params: context.params } as HookContext, resource)
  const queue: Row[] = []
  let wake: (() => void) | undefined
  let done = false
  const listeners = events.map((event) => {
    const listener = (data: Row, hookContext?: HookContext) => {
      const record = dispatched(data, hookContext)
      const judged = event === 'removed' && resource.softDelete ? { ...record, deletedAt: null } : record
      if (done || !record || !readable(judged)) return
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

import { createClient, type Client } from 'graphql-ws'
import WebSocket from 'ws'
import { testServer } from './server'

export const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * A graphql-ws client on `base`'s /graphql (the shared test server's by default), as a browser or service
 * would open it.
 */
export const connect = async (connectionParams?: Record<string, string>, base?: string) => {
  const url = base ?? (await testServer()).url
  return createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: false,
    // A closed connection is asserted through the subscription's `error`; the client need not print it.
    onNonLazyError: () => {}
  })
}

/**
 * Subscribes and collects every `next`; `ended` settles with the error (or nothing) that ended it; `stop`
 * completes it from the client's side.
 */
export const collect = (client: Client, query: string, operationName?: string) => {
  const received: any[] = []
  let finish: (error?: unknown) => void
  const ended = new Promise<unknown>((resolve) => (finish = resolve))
  const stop = client.subscribe(
    { query, operationName },
    { next: (value) => received.push(value), error: (error) => finish(error), complete: () => finish() }
  )
  return { received, ended, stop }
}

export const until = async (check: () => boolean, ms = 10_000) => {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await wait(50)
  }
}

/** What `ended` settled with, or 'still open' after `ms`. */
export const endOf = (ended: Promise<unknown>, ms = 5000) =>
  Promise.race([ended, wait(ms).then(() => 'still open')]) as Promise<any>

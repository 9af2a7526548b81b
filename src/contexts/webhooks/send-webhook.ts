import dns, { type LookupAddress } from 'node:dns'
import http from 'node:http'
import https from 'node:https'
import type { LookupFunction } from 'node:net'
import pkg from '../../../package.json'
import { isPrivateAddress } from './private-addresses'
import { sendingProblem } from './webhook-target'

export interface WebhookRequest {
  url: string
  body: string
  headers: Record<string, string>
  timeoutMs: number
  allowPrivate: boolean
}

/** The receiver's status code, or why there is none (refused, unreachable, timed out). */
export type WebhookOutcome = { statusCode: number } | { error: string }

const USER_AGENT = `internal-api-webhooks/${pkg.version}`

/**
 * Resolves like the system does, then refuses the connection when any address the name resolves to is private:
 * the socket connects to an address this function returned, so a second DNS answer (rebinding) cannot swap in
 * another one after the check.
 */
const checkedLookup =
  (allowPrivate: boolean): LookupFunction =>
  (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0)
      const refused = allowPrivate ? undefined : addresses.find((each) => isPrivateAddress(each.address))
      if (refused) {
        const problem = `refused: ${hostname} resolves to ${refused.address}, a private, loopback or link-local address`
        return callback(Object.assign(new Error(problem), { code: 'EPRIVATETARGET' }), '', 0)
      }
      if (!addresses.length) return callback(new Error(`${hostname} has no address`), '', 0)
      if (options.all) return (callback as any)(null, addresses)
      callback(null, addresses[0].address, addresses[0].family)
    })
  }

/** A short reason for the delivery record: never the body, the headers or the secret. */
const reasonOf = (error: any) => {
  if (error?.code === 'EPRIVATETARGET') return String(error.message)
  const code = typeof error?.code === 'string' ? `${error.code}: ` : ''
  return `${code}${String(error?.message ?? error)}`.slice(0, 300)
}

/**
 * POSTs one signed delivery, outside any transaction: one connection (no pooling), no redirects followed (a 3xx
 * is not a 2xx), the whole attempt bounded by `timeoutMs`. Only the status code is read; the body is discarded.
 */
export const sendWebhook = (request: WebhookRequest): Promise<WebhookOutcome> => {
  const problem = sendingProblem(request.url, request.allowPrivate)
  if (problem) return Promise.resolve({ error: `refused: the url ${problem}` })
  const url = new URL(request.url)
  const client = url.protocol === 'https:' ? https : http
  return new Promise((resolve) => {
    let settled = false
    const settle = (outcome: WebhookOutcome) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(outcome)
    }
    const req = client.request(url, {
      method: 'POST',
      agent: false,
      lookup: checkedLookup(request.allowPrivate),
      headers: {
        ...request.headers,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(request.body)),
        'user-agent': USER_AGENT
      }
    })
    const timer = setTimeout(() => {
      settle({ error: `timed out after ${request.timeoutMs} ms` })
      req.destroy()
    }, request.timeoutMs)
    req.on('response', (response) => {
      settle({ statusCode: response.statusCode ?? 0 })
      response.destroy()
    })
    req.on('error', (error) => settle({ error: reasonOf(error) }))
    req.end(request.body)
  })
}

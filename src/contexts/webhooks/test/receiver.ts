import http from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request a receiver got: its headers and raw body, as a webhook consumer sees them. */
export interface Received {
  headers: http.IncomingHttpHeaders
  body: string
  at: number
}

/** What the receiver answers the nth request (1, 2, …) for one webhook-id: a status (headers, a delay), or silence. */
export type Answer = (
  nth: number,
  received: Received
) => { status: number; headers?: Record<string, string>; delayMs?: number } | 'hang'

export interface Receiver {
  url: string
  port: number
  received: Received[]
  /** The requests for one event (its `webhook-id`), in order. */
  forEvent(id: string): Received[]
  close(): Promise<void>
}

/** A real HTTP receiver on 127.0.0.1 and a free port, recording every request. */
export const startReceiver = async (answer: Answer = () => ({ status: 204 })): Promise<Receiver> => {
  const received: Received[] = []
  const forEvent = (id: string) => received.filter((each) => each.headers['webhook-id'] === id)
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk) => chunks.push(chunk))
    request.on('end', () => {
      const entry = { headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() }
      received.push(entry)
      const reply = answer(forEvent(String(request.headers['webhook-id'])).length, entry)
      if (reply === 'hang') return
      setTimeout(() => response.writeHead(reply.status, reply.headers).end('ok'), reply.delayMs ?? 0)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    received,
    forEvent,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

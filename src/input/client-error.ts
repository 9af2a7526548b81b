import type { Socket } from 'node:net'

/** Node's HTTP parser errors and what the client is told: Node's own status codes, in the API's error shape. */
const ANSWERS: Record<string, [number, string, string, string]> = {
  HPE_HEADER_OVERFLOW: [
    431,
    'RequestHeaderFieldsTooLarge',
    'request-header-fields-too-large',
    'The request line and headers are too large (at most 16 KB together)'
  ],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [
    413,
    'PayloadTooLarge',
    'payload-too-large',
    'The chunk extensions are too large'
  ],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'RequestTimeout', 'request-timeout', 'The request took too long to arrive']
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  431: 'Request Header Fields Too Large'
}

/**
 * A request Node's parser refuses (malformed request line or headers, headers over 16 KB, a body that never
 * arrives) never reaches koa: Node answered it with a bare status and no body. It gets the error shape every
 * other answer has, saying what was wrong, and the connection closes (Node's own behaviour).
 */
export const answerClientError = (error: NodeJS.ErrnoException & { code?: string }, socket: Socket) => {
  // A response already started, or a client already gone: nothing can be said (Node does the same).
  if (!socket.writable || socket.bytesWritten > 0 || error.code === 'ECONNRESET') return socket.destroy()
  const [code, name, className, message] = ANSWERS[error.code ?? ''] ?? [
    400,
    'BadRequest',
    'bad-request',
    `Malformed HTTP request (${String(error.code ?? 'unknown').replace(/[^\w]/g, '')})`
  ]
  const body = JSON.stringify({ name, message, code, className })
  socket.end(
    `HTTP/1.1 ${code} ${REASONS[code]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    // Closed once sent, even while a slow client is still sending.
    () => socket.destroy()
  )
}

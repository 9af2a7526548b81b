import { randomUUID } from 'node:crypto'
import { BadRequest, FeathersError, GeneralError, NotFound } from '@feathersjs/errors'
import type { Context, Next } from 'koa'
import type { Application } from '../declarations'
import { databaseFault } from '../database/faults'
import { requestLogger } from '../logger'
import { invalidInput } from '../input/limits'
import { notUtf8 } from '../input/strict-utf8'

/** Errors outside services (bad JSON, unknown paths) get the same Feathers JSON shape, never a stack trace. */
export const errorHandler = (app: Application) => async (ctx: Context, next: Next) => {
  try {
    await next()
    if (ctx.body === undefined && ctx.status === 404) throw new NotFound(`Path ${ctx.path} not found`)
  } catch (raw: any) {
    let error: FeathersError
    // A database fault outside the services' hooks (e.g. /authentication): 503/507, not a 500 with its text.
    const fault = databaseFault(raw, app)
    if (fault) error = fault
    else if (raw instanceof FeathersError) error = raw
    else if (raw?.status >= 400 && raw?.status < 500) {
      // koa and its body parser throw http-errors (bad JSON: 400, body too large: 413).
      const message = raw.expose ? raw.message : 'Bad request'
      error =
        raw.status === 400
          ? new BadRequest(message)
          : new FeathersError(message, raw.name, raw.status, 'error', {})
    } else {
      app.get('logger').error({ err: raw, path: ctx.path }, 'unhandled error')
      error = new GeneralError('Internal server error')
    }
    ctx.status = error.code
    if (error.data?.retryAfter) ctx.set('Retry-After', String(error.data.retryAfter))
    // RFC 9110: a 401 names the scheme to authenticate with.
    if (error.code === 401) ctx.set('WWW-Authenticate', 'Bearer realm="internal-api"')
    ctx.body = error.toJSON()
  }
}

/** One JSON log line per request, with a request id taken from `X-Request-Id` or made, and returned. */
export const requestLog = (app: Application) => async (ctx: Context, next: Next) => {
  const started = process.hrtime.bigint()
  const incoming = ctx.get('x-request-id')
  const requestId = /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID()
  ctx.set('X-Request-Id', requestId)
  ctx.state.requestId = requestId
  // Service calls see where they came from (sessions, audit log, rate limits).
  // The service hooks fill in who called (src/engine/pipeline/request-context.ts).
  const logContext: { identity?: string } = {}
  ctx.feathers = { ...ctx.feathers, ip: ctx.ip, requestId, logContext } as typeof ctx.feathers
  try {
    await next()
  } finally {
    const durationMs = Number(process.hrtime.bigint() - started) / 1e6
    requestLogger(app.get('logger')).info(
      {
        requestId,
        transport: 'rest',
        identity: logContext.identity ?? 'anonymous',
        method: ctx.method,
        path: ctx.path,
        status: ctx.status,
        durationMs
      },
      'request'
    )
  }
}

/** CORS for the configured origins only; anything else gets no CORS headers. */
export const allowedOrigin = (origins: string[]) => (ctx: Context) => {
  const origin = ctx.get('origin')
  return origins.includes(origin) ? origin : ''
}

/**
 * A browser page calling the server that served it (the UI in public/): its Origin names this very host, so no
 * configuration is needed for it.
 */
export const isSameOrigin = (origin: string, host: string | undefined) => {
  try {
    return !!host && new URL(origin).host === host
  } catch {
    return false
  }
}

/**
 * The UI's pages (public/) run only this origin's scripts and styles: no inline script, no eval, no framing. An
 * injected `<script>` or `onerror=` in data cannot run even if it reached the DOM as markup.
 */
export const UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'"
].join('; ')

/** Security headers for files served from public/ (set only when no route answered first). */
export const uiHeaders = async (ctx: Context, next: Next) => {
  await next()
  // Files come as streams (koa-send); API answers are objects and skip the content-type parsing.
  if (typeof (ctx.body as any)?.pipe !== 'function' || !ctx.response.is('html')) return
  if (ctx.response.get('Content-Security-Policy')) return
  ctx.set('Content-Security-Policy', UI_CSP)
  ctx.set('X-Content-Type-Options', 'nosniff')
  ctx.set('Referrer-Policy', 'no-referrer')
  // The pages change with every build; the hashed assets under /assets/ may be cached.
  ctx.set('Cache-Control', 'no-cache')
}

/** koa-body's parse errors lose their status; say plainly what was wrong with the body. */
export const bodyError = (error: any): never => {
  if (error?.status === 413 || /too large/i.test(error?.message ?? '')) {
    throw new FeathersError('The request body is too large', 'PayloadTooLarge', 413, 'payload-too-large', {})
  }
  const encoding = notUtf8(error)
  if (encoding) throw encoding
  // The parser's strict mode refuses JSON that is no object or array (`"x"`, `5`, `null`, `true`).
  if (/only supports object and array/.test(error?.message ?? '')) {
    throw invalidInput('data', [], 'must be a JSON object (the body is one record)')
  }
  // The parser refuses `__proto__` keys (prototype poisoning); constructor.prototype too.
  if (/forbidden prototype property/.test(error?.message ?? '')) {
    throw invalidInput('data', ['__proto__'], 'is not allowed')
  }
  throw new BadRequest('The request body could not be parsed (send JSON with Content-Type: application/json)')
}

// A client that went away while its answer was being sent: nothing to report, nobody to tell.
const CLIENT_GONE = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'EPIPE', 'ECONNABORTED'])

/**
 * koa reports errors that happen after an answer began (a streamed file whose client closed the tab) on the
 * app's `error` event; its default prints a stack to stderr. A client gone is logged at debug level, anything
 * else as one JSON error line.
 */
export const responseErrors = (app: Application) => (error: any, ctx?: Context) => {
  const gone = CLIENT_GONE.has(error?.code)
  app.get('logger')[gone ? 'debug' : 'error']({ err: error, path: ctx?.path }, 'response not completed')
}

import { FeathersError } from '@feathersjs/errors'
import type { Context, Next } from 'koa'

/** The bodies the body parser reads: JSON, including `+json` types. */
export const JSON_TYPES = ['application/json', '+json']

const PARSED_METHODS = ['POST', 'PUT', 'PATCH']

const hasContent = (ctx: Context) =>
  ctx.get('transfer-encoding') !== '' ||
  (ctx.get('content-length') !== '' && ctx.get('content-length') !== '0')

/** Charsets naming UTF-8 or a subset of it. */
const UTF8_CHARSETS = ['utf-8', 'utf8', 'us-ascii']

const unsupported = (what: string) =>
  new FeathersError(
    `The request body must be JSON, ${what}`,
    'UnsupportedMediaType',
    415,
    'unsupported-media-type',
    {}
  )

/**
 * A body that is not JSON (a form, text, or no `Content-Type` at all) is a 415 saying what to send, instead of
 * being parsed as something else and reported as a field named after the JSON text; so is JSON declared in
 * another charset than UTF-8 (it was read as UTF-8 regardless: an error without a cause, or mangled text).
 */
export const jsonOnly = async (ctx: Context, next: Next) => {
  if (PARSED_METHODS.includes(ctx.method) && hasContent(ctx)) {
    if (!ctx.request.is(JSON_TYPES)) {
      const sent = ctx.get('content-type') || 'no Content-Type'
      throw unsupported(`sent with Content-Type: application/json (got ${sent.slice(0, 100)})`)
    }
    // JSON is UTF-8 (RFC 8259); the parser read every body as UTF-8 whatever charset it declared.
    const charset = ctx.request.charset // '' when none is declared
    if (charset && !UTF8_CHARSETS.includes(charset.toLowerCase()))
      throw unsupported(`encoded as UTF-8 (got charset=${charset.slice(0, 40)})`)
  }
  await next()
}

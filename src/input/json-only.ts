import { FeathersError } from '@feathersjs/errors'
import type { Context, Next } from 'koa'

/** The bodies the body parser reads: JSON, including `+json` types. */
export const JSON_TYPES = ['application/json', '+json']

const PARSED_METHODS = ['POST', 'PUT', 'PATCH']

const hasContent = (ctx: Context) =>
  ctx.get('transfer-encoding') !== '' ||
  (ctx.get('content-length') !== '' && ctx.get('content-length') !== '0')

/**
 * A body that is not JSON (a form, text, or no `Content-Type` at all) is a 415 saying what to send, instead of
 * being parsed as something else and reported as a field named after the JSON text.
 */
export const jsonOnly = async (ctx: Context, next: Next) => {
  if (PARSED_METHODS.includes(ctx.method) && hasContent(ctx) && !ctx.request.is(JSON_TYPES)) {
    const sent = ctx.get('content-type') || 'no Content-Type'
    throw new FeathersError(
      `The request body must be JSON, sent with Content-Type: application/json (got ${sent.slice(0, 100)})`,
      'UnsupportedMediaType',
      415,
      'unsupported-media-type',
      {}
    )
  }
  await next()
}

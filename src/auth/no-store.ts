import type { Context, Next } from 'koa'

/**
 * `Cache-Control: no-store` on every answer that did not choose its own caching. Tokens, API-key secrets,
 * sessions, payments and personal records must never be kept by a browser or a proxy; one rule for every answer,
 * errors included, rather than a list of sensitive routes, so that a new resource cannot be forgotten. What sets
 * its own (the UI's files, the Swagger UI assets) keeps it.
 */
export const noStore = async (ctx: Context, next: Next) => {
  await next()
  if (!ctx.response.get('Cache-Control')) ctx.set('Cache-Control', 'no-store')
}

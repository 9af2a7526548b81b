import { MethodNotAllowed } from '@feathersjs/errors'
import type { Context, Next } from 'koa'
import type { Application } from '../declarations'

/**
 * Feathers maps `POST /x/:id` to `create`, ignoring the id, so it created a record. No route offers it:
 * like every other unlisted method it is a 405.
 */
export const postWithId = (app: Application) => async (ctx: Context, next: Next) => {
  if (ctx.method === 'POST') {
    const lookup = app.lookup(ctx.path)
    if (lookup && lookup.params.__id !== undefined) {
      throw new MethodNotAllowed(
        'Method POST is not allowed on a record (POST to the collection to create one)'
      )
    }
  }
  await next()
}

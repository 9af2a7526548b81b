import type { Context, Next } from 'koa'
import type { Application } from '../declarations'
import { defaultInputLimits, invalidInput } from './limits'

/** The query string parser (qs, through koa-qs) keeps the first 1000 parameters and drops the rest unseen. */
const QS_PARAMETER_LIMIT = 1000

const decode = (text: string) => {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '))
  } catch {
    return text
  }
}

const isPrototypeName = (name: string) => Object.hasOwn(Object.prototype, name)

/**
 * What the query string parser would drop without a word is a 400 instead: a key naming an `Object.prototype`
 * member (`toString=1`, `$sort[constructor]=1`, `__proto__[x]=1`) and parameters past its limit. A dropped
 * filter would otherwise answer a wider list than asked for; Socket.io queries already get a 400 for these.
 */
export const queryStringGuard = (app: Application) => async (ctx: Context, next: Next) => {
  const text = ctx.querystring
  if (text && app.lookup(ctx.path)) {
    const parameters = text.split('&').filter(Boolean)
    const most = Math.min(
      app.get('limits')?.maxTotalKeys ?? defaultInputLimits.maxTotalKeys,
      QS_PARAMETER_LIMIT
    )
    if (parameters.length > most)
      throw invalidInput(
        'query',
        [],
        `has more than ${most} parameters (limits.maxTotalKeys)`,
        'maxTotalKeys'
      )
    for (const parameter of parameters) {
      const key = decode(parameter.split('=', 1)[0])
      const segments = key.match(/[^[\]]+/g) ?? []
      const at = segments.findIndex(isPrototypeName)
      if (at >= 0)
        throw invalidInput('query', segments.slice(0, at + 1), 'is not allowed (a name of Object.prototype)')
    }
  }
  await next()
}

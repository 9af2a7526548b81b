import { randomUUID } from 'node:crypto'
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import { requestLogger } from '../../logger'

/** How logs name a caller: `user:<id>`, `apikey:<id>` or `anonymous`. */
export const identityOf = (params: any) =>
  params.user ? `user:${params.user.id}` : params.apiKey ? `apikey:${params.apiKey.id}` : 'anonymous'

/**
 * The outermost hook: times every external call, counts it in the metrics, and logs socket calls the way
 * REST requests are logged (REST has its line from the HTTP layer, which this fills in with the identity).
 */
export const requestContext = async (context: HookContext, next: NextFunction) => {
  const { provider } = context.params
  if (!provider) return next()
  const started = process.hrtime.bigint()
  let status = context.method === 'create' ? 201 : 200
  const transport = provider === 'socketio' ? 'socket' : provider
  const metrics = context.app.get('metrics')
  metrics?.requestsInFlight.inc({ transport })
  try {
    await next()
  } catch (error: any) {
    status = typeof error?.code === 'number' ? error.code : 500
    throw error
  } finally {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    const labels = { transport, service: context.path, method: context.method }
    metrics?.requestsInFlight.dec({ transport })
    metrics?.requestDuration.observe({ ...labels, status: String(status) }, seconds)
    if (status >= 500) metrics?.requestErrors.inc(labels)
    const identity = identityOf(context.params)
    if (context.params.logContext) context.params.logContext.identity = identity
    if (transport === 'socket') {
      requestLogger(context.app.get('logger')).info(
        {
          requestId: randomUUID(),
          transport,
          method: `${context.path}.${context.method}`,
          identity,
          status,
          durationMs: seconds * 1000
        },
        'request'
      )
    }
  }
}

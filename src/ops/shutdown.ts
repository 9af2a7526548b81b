import type { Application } from '../declarations'

/**
 * SIGINT and SIGTERM run `stop` once and exit 0 when it is done, 1 if it fails or takes longer than
 * `shutdownTimeoutMs` (the server's in-flight requests, the worker's running job and event).
 */
export const exitOnSignals = (app: Application, stop: () => Promise<void>) => {
  const logger = app.get('logger')
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down')
    const force = setTimeout(() => {
      logger.error({ timeoutMs: app.get('shutdownTimeoutMs') }, 'shutdown timed out')
      process.exit(1)
    }, app.get('shutdownTimeoutMs')).unref()
    stop().then(
      () => {
        clearTimeout(force)
        process.exit(0)
      },
      (error) => {
        logger.error({ err: error }, 'shutdown failed')
        process.exit(1)
      }
    )
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
}

// First: environment variables node-config would choke on are checked before it loads (src/environment-formats.ts).
import './environment-formats'
import { startServer } from './server'
import { guardProcess, guardWith } from './ops/process-guards'

guardProcess()

const main = async () => {
  const { app, url, stop } = await startServer()
  guardWith(app)
  const logger = app.get('logger')
  logger.info({ url, database: app.get('databaseKind') }, `Internal API listening on ${url}`)
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down')
    // In-flight requests get `shutdownTimeoutMs` to finish; after that the process exits anyway.
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

main().catch((error) => {
  // A bad declaration or configuration: say what and where, without a stack trace.
  console.error(error instanceof Error ? error.message || error.name : error)
  process.exit(1)
})

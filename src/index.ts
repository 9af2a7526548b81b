// First: environment variables node-config would choke on are checked before it loads (src/environment-formats.ts).
import './environment-formats'
import { startServer } from './server'
import { guardProcess, guardWith } from './ops/process-guards'
import { exitOnSignals } from './ops/shutdown'

guardProcess()

const main = async () => {
  const { app, url, stop } = await startServer()
  guardWith(app)
  const logger = app.get('logger')
  logger.info({ url, database: app.get('databaseKind') }, `Internal API listening on ${url}`)
  // In-flight requests get `shutdownTimeoutMs` to finish; after that the process exits anyway.
  exitOnSignals(app, stop)
}

main().catch((error) => {
  // A bad declaration or configuration: say what and where, without a stack trace.
  console.error(error instanceof Error ? error.message || error.name : error)
  process.exit(1)
})

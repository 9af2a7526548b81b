import type { Application } from '../declarations'

let app: Application | undefined

const log = (level: 'error' | 'fatal', error: unknown, msg: string) => {
  if (app) app.get('logger')[level]({ err: error }, msg)
  else console.error(msg, error)
}

/**
 * Process-wide last resorts. A promise rejection nobody handled is a bug to see, not a reason to drop every
 * client: it is logged and counted (`api_unhandled_rejections_total`) and the process goes on. An uncaught
 * exception leaves the process in an unknown state: it is logged and the process exits 1 (a supervisor
 * restarts it). Call once, first thing; `guardWith(app)` once the app exists, for its logger and metrics.
 */
export const guardProcess = () => {
  process.on('unhandledRejection', (reason) => {
    log('error', reason, 'unhandled rejection')
    app?.get('metrics').unhandledRejections.inc()
  })
  process.on('uncaughtException', (error) => {
    log('fatal', error, 'uncaught exception, exiting')
    // pino flushes its asynchronous stdout on exit.
    process.exit(1)
  })
}

export const guardWith = (running: Application) => {
  app = running
}

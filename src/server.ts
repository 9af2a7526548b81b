import type { Server } from 'node:http'
import { listen } from './transports/http-server'
import type { Application } from './declarations'
import { createApp } from './app'
import { runMigrations } from './database/migrate'
import { ensureFirstAdmin } from './auth/first-admin'
import { closeSync, syncReady } from './ops/sync'
import { assertMetricsProtected, listenMetrics } from './ops/metrics-endpoint'
import { startWorkers } from './engine/events/workers'
import { domain } from './contexts'

export interface RunningServer {
  app: Application
  server: Server
  port: number
  url: string
  stop: () => Promise<void>
}

/** Builds the app, applies pending migrations, listens, and knows how to stop cleanly. */
export const startServer = async (port?: number): Promise<RunningServer> => {
  const app = await createApp({ serving: true })
  try {
    assertMetricsProtected(process.env.NODE_ENV, app.get('metricsEndpoint'))
    const applied = await runMigrations(app.get('knex'))
    if (applied.length) app.get('logger').info({ applied }, 'migrations applied')
    await ensureFirstAdmin(app)
  } catch (error) {
    await app.get('closeDatabase')()
    throw error
  }
  await syncReady(app)
  // `host`: localhost unless configured (0.0.0.0 in staging and production), as the README says.
  const { server, close } = await listen(app, port ?? app.get('port'), app.get('host')).catch((error) => {
    const where = `HOST (host) ${app.get('host')}, PORT (port) ${port ?? app.get('port')}`
    throw new Error(`${where}: cannot listen: ${error.message}`)
  })
  const metricsListener = await listenMetrics(app)
  // WORKERS=inline (the default): the relay, consumers and jobs run in this process too (docs/events.md).
  const workers = app.get('workers') === 'inline' ? startWorkers(app, domain) : undefined
  const address = server.address()
  const actualPort = typeof address === 'object' && address ? address.port : Number(port)
  let stopping: Promise<void> | undefined
  const stop = () =>
    (stopping ??= (async () => {
      // No new connections; requests in flight finish, Socket.io clients and idle connections go (src/transports/http-server.ts).
      await close()
      await metricsListener?.close()
      await workers?.stop()
      await app.teardown()
      await closeSync(app)
      await app.get('rateLimiter').close()
      await app.get('closeDatabase')()
    })())
  return { app, server, port: actualPort, url: `http://localhost:${actualPort}`, stop }
}

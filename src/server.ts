import type { Server } from 'node:http'
import type { Application } from './declarations'
import { createApp } from './app'
import { runMigrations } from './database/migrate'
import { ensureFirstAdmin } from './auth/first-admin'
import { closeSync, syncReady } from './ops/sync'

export interface RunningServer {
  app: Application
  server: Server
  port: number
  url: string
  stop: () => Promise<void>
}

/** Builds the app, applies pending migrations, listens, and knows how to stop cleanly. */
export const startServer = async (port?: number): Promise<RunningServer> => {
  const app = await createApp()
  try {
    const applied = await runMigrations(app.get('knex'))
    if (applied.length) app.get('logger').info({ applied }, 'migrations applied')
    await ensureFirstAdmin(app)
  } catch (error) {
    await app.get('closeDatabase')()
    throw error
  }
  await syncReady(app)
  const server = await app.listen(port ?? app.get('port'))
  const address = server.address()
  const actualPort = typeof address === 'object' && address ? address.port : Number(port)
  let stopping: Promise<void> | undefined
  const stop = () =>
    (stopping ??= (async () => {
      // app.teardown closes the HTTP server and Socket.io; then the database goes.
      await app.teardown()
      await closeSync(app)
      await app.get('rateLimiter').close()
      await app.get('closeDatabase')()
    })())
  return { app, server, port: actualPort, url: `http://localhost:${actualPort}`, stop }
}

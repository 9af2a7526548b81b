// First: environment variables node-config would choke on are checked before it loads (src/environment-formats.ts).
import './environment-formats'
import { createApp } from './app'
import { domain } from './contexts'
import { runMigrations } from './database/migrate'
import { startWorkers } from './engine/events/workers'
import { closeSync, syncReady } from './ops/sync'
import { guardProcess, guardWith } from './ops/process-guards'
import { exitOnSignals } from './ops/shutdown'
import { listenMetrics } from './ops/metrics-endpoint'

guardProcess()

/**
 * `npm run worker`: the outbox relay, the consumers and the periodic jobs without the HTTP API — the first
 * separately deployable service (docs/events.md, deployment shapes). Several may run beside any number of API
 * instances started with `WORKERS=off`, sharing one PostgreSQL (and NATS, with NATS_URL; REDIS_URL carries the
 * realtime events of the records it writes to the API instances' sockets).
 */
const main = async () => {
  const app = await createApp()
  guardWith(app)
  const logger = app.get('logger')
  try {
    const applied = await runMigrations(app.get('knex'))
    if (applied.length) logger.info({ applied }, 'migrations applied')
  } catch (error) {
    await app.get('closeDatabase')()
    throw error
  }
  await syncReady(app)
  const workers = startWorkers(app, domain)
  // Its own metrics (jobs, consumers, the relay) on METRICS_PORT when set: it serves no other HTTP.
  const metrics = await listenMetrics(app)
  logger.info(
    {
      bus: workers.bus.kind,
      consumers: Object.keys(domain.consumers ?? {}),
      jobs: Object.keys(domain.jobs ?? {})
    },
    'Internal API worker running'
  )
  // The running job and event finish; then the connections close.
  exitOnSignals(app, async () => {
    await workers.stop()
    await metrics?.close()
    await app.teardown()
    await closeSync(app)
    await app.get('rateLimiter').close()
    await app.get('closeDatabase')()
  })
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message || error.name : error)
  process.exit(1)
})

import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import config from 'config'
import { randomUUID } from 'node:crypto'
import { connectDatabase, MEMORY, type Database } from '../../../database/connect'
import { describeOnPostgres, freshDatabase } from '../../../../test/helpers/postgres'
import {
  baseEnv,
  killProcess,
  startProcess,
  startWorker,
  stopProcess,
  type Started
} from '../../../../test/helpers/process'
import { deleteStream, NATS_URL } from '../../../../test/helpers/jetstream'
import { eventually } from '../../../../test/helpers/outbox'
import { startReceiver, type Receiver } from './receiver'

const ADMIN = { email: 'webhooks-admin@example.com', password: 'webhooks admin password' }

/**
 * Deliveries made by `npm run worker` (the API with WORKERS=off, events through NATS JetStream, PostgreSQL), and
 * a worker killed with kill -9 while it sends: after a restart every event reaches the receiver, each event has
 * one delivery record, and a second send happens only for an attempt the killed worker had in flight.
 */
describeOnPostgres('webhooks from a worker process, killed with kill -9 mid-stream', function () {
  this.timeout(240_000)
  const id = randomUUID().slice(0, 8)
  const stream = `IAPI_WH_${id}`
  let database: Awaited<ReturnType<typeof freshDatabase>>
  let db: Database
  let env: NodeJS.ProcessEnv
  let server: Started
  let receiver: Receiver
  const workers: Omit<Started, 'url'>[] = []

  const call = async (method: string, path: string, body: unknown, token?: string) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify(body)
    })
    return { status: response.status, body: await response.json().catch(() => undefined) }
  }

  before(async () => {
    // Slow enough that the 40 deliveries take a while: the kill comes mid-stream.
    receiver = await startReceiver(() => ({ status: 200, delayMs: 100 }))
    database = await freshDatabase(config.get<string>('database.url'), 'webhooks')
    env = {
      ...baseEnv(),
      DATABASE_URL: database.url,
      NATS_URL,
      NATS_STREAM: stream,
      NATS_SUBJECT_PREFIX: `iapi-wh-${id}`,
      WORKERS: 'off',
      EVENTS_RELAY_INTERVAL_MS: '50',
      WEBHOOK_INTERVAL_MS: '50',
      WEBHOOK_TIMEOUT_MS: '1000',
      WEBHOOK_RETRY_SCHEDULE: '100ms,200ms,500ms',
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password
    }
    server = await startProcess(env)
    db = await connectDatabase({ url: database.url, dataDir: MEMORY, acquireConnectionTimeout: 5000 })
  })

  after(async () => {
    for (const worker of workers) await killProcess(worker.child)
    if (server) await stopProcess(server.child)
    await db?.close()
    await deleteStream(stream)
    await database?.drop()
    await receiver?.close()
  })

  it('delivers every event once per subscription record, across a kill -9 and a restart', async () => {
    const login = await call('POST', '/authentication', { strategy: 'local', ...ADMIN })
    const token = login.body.accessToken
    const subscription = await call(
      'POST',
      '/webhook-subscriptions',
      { url: receiver.url, events: ['products.created'] },
      token
    )
    assert.equal(subscription.status, 201, JSON.stringify(subscription.body))
    workers.push(await startWorker(env))

    const created = await Promise.all(
      Array.from({ length: 40 }, (_, n) =>
        call(
          'POST',
          '/products',
          { sku: `WH-${id}-${n}`, name: `Webhook product ${n}`, priceCents: 100, currency: 'USD' },
          token
        )
      )
    )
    for (const product of created) assert.equal(product.status, 201, JSON.stringify(product.body))
    const productIds = new Set(created.map((product) => String(product.body.id)))
    const subjects = () => new Set(receiver.received.map((each) => JSON.parse(each.body).subject))

    await eventually('a first delivery', async () => receiver.received.length > 0)
    await killProcess(workers.pop()!.child)
    const beforeRestart = subjects().size
    workers.push(await startWorker(env))
    // A killed worker's claims run out after the timeout plus 30 s.
    await eventually('every product at the receiver', async () => subjects().size === productIds.size, 90_000)
    assert.ok(beforeRestart < productIds.size, 'the kill came mid-stream')

    await eventually(
      'every delivery recorded',
      async () =>
        (
          await db
            .knex('webhook_deliveries')
            .where({ subscriptionId: subscription.body.id, status: 'succeeded' })
        ).length === productIds.size
    )
    const deliveries = await db.knex('webhook_deliveries').where({ subscriptionId: subscription.body.id })
    assert.equal(deliveries.length, productIds.size, 'one delivery record per event')
    assert.deepEqual(new Set(deliveries.map((each: any) => each.payload.subject)), productIds)
    // Resent only what the killed worker had in flight (its claim: at most one batch of 10).
    const sends = new Map<string, number>()
    for (const each of receiver.received) {
      const key = String(each.headers['webhook-id'])
      sends.set(key, (sends.get(key) ?? 0) + 1)
    }
    const resent = [...sends.values()].filter((count) => count > 1).length
    assert.ok(resent <= 10, `${resent} events sent twice`)
    const key = Buffer.from(subscription.body.secret.slice('whsec_'.length), 'base64')
    for (const each of receiver.received) {
      const signed = `${each.headers['webhook-id']}.${each.headers['webhook-timestamp']}.${each.body}`
      assert.equal(
        each.headers['webhook-signature'],
        `v1,${createHmac('sha256', key).update(signed).digest('base64')}`
      )
    }
  })
})

import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { describeOnPostgres } from '../../../../test/helpers/postgres'
import { DEPLOYMENT_ADMIN, startDeployment, type Deployment } from '../../../../test/helpers/deployment'
import { eventually } from '../../../../test/helpers/outbox'
import { startReceiver, type Receiver } from './receiver'

/**
 * Deliveries made by `npm run worker` (the API with WORKERS=off, events through NATS JetStream, PostgreSQL), and
 * a worker killed with kill -9 while it sends: after a restart every event reaches the receiver, each event has
 * one delivery record, and a second send happens only for an attempt the killed worker had in flight.
 */
describeOnPostgres('webhooks from a worker process, killed with kill -9 mid-stream', function () {
  this.timeout(240_000)
  let deployment: Deployment
  let receiver: Receiver

  before(async () => {
    // Slow enough that the 40 deliveries take a while: the kill comes mid-stream.
    receiver = await startReceiver(() => ({ status: 200, delayMs: 100 }))
    deployment = await startDeployment('webhooks', {
      nats: true,
      env: {
        WEBHOOK_INTERVAL_MS: '50',
        WEBHOOK_TIMEOUT_MS: '1000',
        WEBHOOK_RETRY_SCHEDULE: '100ms,200ms,500ms',
        WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true'
      }
    })
  })

  after(async () => {
    await deployment?.stop()
    await receiver?.close()
  })

  it('delivers every event once per subscription record, across a kill -9 and a restart', async () => {
    const { call, db, id } = deployment
    const token = await deployment.login(DEPLOYMENT_ADMIN.email, DEPLOYMENT_ADMIN.password)
    const subscription = await call(
      'POST',
      '/webhook-subscriptions',
      { url: receiver.url, events: ['products.created'] },
      token
    )
    assert.equal(subscription.status, 201, JSON.stringify(subscription.body))
    await deployment.addWorker()

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
    await deployment.killWorker()
    const beforeRestart = subjects().size
    await deployment.addWorker()
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

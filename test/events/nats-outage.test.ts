import assert from 'node:assert/strict'
import path from 'node:path'
import { isolatedApp, type IsolatedApp } from '../helpers/isolated-app'
import { eventually } from '../helpers/outbox'
import { privateNats } from '../helpers/private-nats'
import { startWorkers, type Workers } from '../../src/engine/events/workers'
import { emptyDomain } from '../../src/engine/domain'

const FIXTURE = path.join(__dirname, '../fixtures/events')

describe('events while NATS is down (a private nats-server, killed and restarted)', function () {
  this.timeout(60_000)
  let nats: Awaited<ReturnType<typeof privateNats>>
  let isolated: IsolatedApp
  let workers: Workers

  const unpublished = async () =>
    Number((await isolated.db.knex('outbox_events').whereNull('publishedAt').count('* as n'))[0].n)

  before(async () => {
    nats = await privateNats()
    isolated = await isolatedApp(FIXTURE, emptyDomain)
    isolated.app.set('events', {
      natsUrl: nats.url,
      stream: 'OUTAGE',
      subjectPrefix: 'outage',
      source: '/test',
      relayIntervalMs: 50,
      keepPublishedHours: 1
    })
    workers = startWorkers(isolated.app, emptyDomain)
    await (workers.bus as any).ready
  })

  after(async () => {
    await workers?.stop()
    await isolated?.close()
    await nats?.remove()
  })

  it('keeps committing, holds the events in the outbox, and publishes them in order once NATS is back', async () => {
    const tickets = isolated.app.service('tickets')
    await tickets.create({ title: 'before' })
    await eventually('published while up', async () => (await unpublished()) === 0)
    assert.equal(workers.bus.up(), true)

    await nats.kill()
    await eventually('the outage noticed', async () => !workers.bus.up())
    for (const title of ['during 1', 'during 2', 'during 3']) await tickets.create({ title })
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.equal(await unpublished(), 3, 'writes go on; their events wait')

    await nats.start()
    await eventually('published after the restart', async () => (await unpublished()) === 0, 20_000)
    const { connect } = await import('nats')
    const connection = await connect({ servers: nats.url })
    try {
      const manager = await connection.jetstreamManager()
      const titles = []
      for (let seq = 1; seq <= 4; seq++) {
        titles.push((await manager.streams.getMessage('OUTAGE', { seq })).json<any>().data.title)
      }
      assert.deepEqual(titles, ['before', 'during 1', 'during 2', 'during 3'])
    } finally {
      await connection.close()
    }
  })
})

import assert from 'node:assert/strict'
import path from 'node:path'
import { randomUUID } from 'node:crypto'
import { connect, type NatsConnection } from 'nats'
import { isolatedApp, type IsolatedApp } from '../helpers/isolated-app'
import { eventually } from '../helpers/outbox'
import type { Domain } from '../../src/engine/domain'
import { startWorkers, type Workers } from '../../src/engine/events/workers'

const NATS_URL = 'nats://127.0.0.1:4222'
const FIXTURE = path.join(__dirname, '../fixtures/events')

/**
 * The outbox, the relay and a durable consumer, on each bus: NATS JetStream (the machine's server, a stream of
 * this test's own) and the in-process bus of a process without NATS_URL.
 */
for (const bus of ['in-process', 'nats'] as const) {
  describe(`events through the ${bus} bus`, () => {
    let isolated: IsolatedApp
    let workers: Workers
    let nats: NatsConnection | undefined
    const stream = `TEST_${randomUUID().slice(0, 8)}`
    const prefix = `test-${randomUUID().slice(0, 8)}`
    // `<ticket id> <type>`: the event the consumer fails on once, after writing (as a crash mid-event would).
    const crashOnce = new Set<string>()

    const domain: Domain = {
      behaviours: {},
      consumers: {
        logTickets: {
          description: 'writes one ticket-log entry per ticket event',
          events: ['tickets.*'],
          handle: async (event, { app, params }) => {
            // A fixture resource: not in the generated service map.
            await (app as any)
              .service('ticket-log')
              .create({ ticketId: Number(event.subject), eventId: event.id, entry: event.type }, params)
            if (crashOnce.delete(`${event.subject} ${event.type}`))
              throw new Error('crashed after writing its effect')
          }
        }
      }
    }

    const tickets = () => isolated.app.service('tickets')
    const log = (ticketId?: number) =>
      isolated.db
        .knex('ticket_log')
        .where(ticketId ? { ticketId } : {})
        .orderBy('id')
    const outbox = () => isolated.db.knex('outbox_events').orderBy('position')

    before(async () => {
      isolated = await isolatedApp(FIXTURE, domain)
      isolated.app.set('events', {
        natsUrl: bus === 'nats' ? NATS_URL : '',
        stream,
        subjectPrefix: prefix,
        source: '/test',
        relayIntervalMs: 50,
        keepPublishedHours: 1
      })
      workers = startWorkers(isolated.app, domain)
      if (bus === 'nats') nats = await connect({ servers: NATS_URL })
    })

    after(async () => {
      await workers?.stop()
      if (nats) {
        await (await nats.jetstreamManager()).streams.delete(stream).catch(() => undefined)
        await nats.close()
      }
      await isolated?.close()
    })

    it('publishes each committed change once and the consumer handles each once, in order per record', async () => {
      const created = await Promise.all(
        Array.from({ length: 20 }, (_, n) => tickets().create({ title: `ticket ${n}` }))
      )
      await Promise.all(
        created.slice(0, 10).map((ticket: any) => tickets().patch(ticket.id, { status: 'closed' }))
      )
      await eventually('40 handled events', async () => (await log()).length === 40)
      for (const [n, ticket] of created.entries()) {
        const entries = (await log(ticket.id)).map((row: any) => row.entry)
        const expected =
          n < 10 ? ['tickets.created', 'tickets.patched', 'tickets.closed'] : ['tickets.created']
        assert.deepEqual(entries, expected, `ticket ${ticket.id}`)
      }
      const rows = await outbox()
      assert.equal(rows.length, 40)
      assert.ok(rows.every((row: any) => row.publishedAt))
      if (nats) {
        const manager = await nats.jetstreamManager()
        assert.equal((await manager.streams.info(stream)).state.messages, 40)
        const first = await manager.streams.getMessage(stream, { seq: 1 })
        const event = first.json<any>()
        assert.equal(first.subject, `${prefix}.${event.type}`)
        assert.equal(first.header.get('Nats-Msg-Id'), event.id, 'the event id deduplicates republishes')
        assert.equal(event.specversion, '1.0')
        assert.equal(event.source, '/test')
        assert.equal(event.subject, String(event.data.id))
      }
    })

    it('publishes nothing for a rolled-back change, or for a resource that does not publish', async () => {
      const before = (await outbox()).length
      const { app } = isolated
      await assert.rejects(
        app.get('tableChanges').transaction(isolated.db.knex, async (trx: any) => {
          await tickets().create({ title: 'never' }, { transaction: { trx } })
          throw new Error('roll it back')
        }),
        /roll it back/
      )
      await app.service('notes').create({ text: 'not an event' })
      await tickets().create({ title: 'marker' })
      await eventually('the marker published', async () =>
        (await outbox()).every((row: any) => row.publishedAt)
      )
      const after = await outbox()
      assert.deepEqual(
        after.slice(before).map((row: any) => [row.type, row.data.title]),
        [['tickets.created', 'marker']]
      )
    })

    it('drops a republish of the same events (a relay that crashed before marking them)', async () => {
      const handled = (await log()).length
      const published = nats && (await (await nats.jetstreamManager()).streams.info(stream)).state.messages
      await isolated.db.knex('outbox_events').update({ publishedAt: null })
      isolated.app.get('outboxRelay').nudge()
      await eventually('all republished', async () => (await outbox()).every((row: any) => row.publishedAt))
      await new Promise((resolve) => setTimeout(resolve, 300))
      assert.equal((await log()).length, handled, 'no effect twice')
      if (nats) {
        const info = await (await nats.jetstreamManager()).streams.info(stream)
        assert.equal(info.state.messages, published, 'JetStream dropped the duplicates')
      }
    })

    it('redelivers an event whose consumer failed mid-way, and its effect happens once', async () => {
      const ticket: any = await tickets().create({ title: 'crashy' })
      // The last of the ticket's events: JetStream redelivers a failed event after those already behind it.
      crashOnce.add(`${ticket.id} tickets.closed`)
      await tickets().patch(ticket.id, { status: 'closed' })
      await eventually(
        'the closed event handled after its redelivery',
        async () => (await log(ticket.id)).length === 3,
        15_000
      )
      assert.equal(crashOnce.size, 0, 'it did fail once')
      assert.deepEqual(
        (await log(ticket.id)).map((row: any) => row.entry),
        ['tickets.created', 'tickets.patched', 'tickets.closed']
      )
    })
  })
}

import assert from 'node:assert/strict'
import { Conflict } from '@feathersjs/errors'
import type { Domain } from '../../../src/engine/domain'
import type { Effect } from '../../../src/engine/runtime/guards-and-effects'
import { isolatedApp, type IsolatedApp } from '../../helpers/isolated-app'
import { ticketLog } from '../../helpers/ticket-log'

/** Effects write log entries through the ticket-log service, in the ticket's transaction. */
const log =
  (entry: (context: Parameters<Effect>[0]) => string): Effect =>
  async (context) => {
    await context.app
      .service('ticket-log' as any)
      .create(
        { ticketId: context.record.id, entry: entry(context) },
        { transaction: context.params.transaction }
      )
  }

const domain: Domain = {
  behaviours: {
    shout: { description: 'the fixture declares it; these tests need it to do nothing', around: {} }
  },
  guards: {
    resolvedProperly: ({ record, data }) => {
      const resolution = data.resolution ?? record.resolution
      if (resolution === 'wontfix' && !record.assignee?.startsWith('lead'))
        throw new Conflict('Only a lead closes as wontfix', { field: 'resolution' })
    }
  },
  effects: {
    logChange: log(({ transition }) => `${transition.name}: ${transition.from ?? '-'} -> ${transition.to}`),
    noteStart: log(({ record }) => `started by ${record.assignee}`),
    noteClose: log(({ before, record }) => `closed from ${before!.status} as ${record.resolution}`),
    failOnDemand: async ({ record }) => {
      if (record.resolution === 'explode') throw new Error('effect failed')
    }
  }
}

describe('engine: transitions with declared requirements, guards and effects', () => {
  let isolated: IsolatedApp
  let tickets: any
  const entries = (ticketId: number) => ticketLog(isolated.app, ticketId)

  before(async () => {
    isolated = await isolatedApp('test/fixtures/transitions', domain)
    tickets = isolated.app.service('tickets')
  })
  after(() => isolated.close())

  it('runs the state machine effects on create, as the change to the initial state', async () => {
    const ticket = await tickets.create({ title: 'Printer on fire' })
    assert.deepEqual(await entries(ticket.id), ['create: - -> open'])
  })

  it('refuses a transition whose required field is unset, naming it, and writes nothing', async () => {
    const ticket = await tickets.create({ title: 'No one on it' })
    await assert.rejects(tickets.patch(ticket.id, { status: 'working' }), (error: any) => {
      assert.equal(error.code, 409)
      assert.equal(error.data.field, 'assignee')
      assert.equal(error.data.transition, 'start')
      return true
    })
    assert.equal((await tickets.get(ticket.id)).status, 'open')
    assert.deepEqual(await entries(ticket.id), ['create: - -> open'])
    // The requirement is met by the stored value or by the patch itself.
    const started = await tickets.patch(ticket.id, { status: 'working', assignee: 'ana' })
    assert.equal(started.status, 'working')
  })

  it('runs every-change effects, then the transition’s own, in order', async () => {
    const ticket = await tickets.create({ title: 'Slow page', assignee: 'ana' })
    await tickets.patch(ticket.id, { status: 'working' })
    await tickets.patch(ticket.id, { status: 'closed', resolution: 'fixed' })
    assert.deepEqual(await entries(ticket.id), [
      'create: - -> open',
      'start: open -> working',
      'started by ana',
      'close: working -> closed',
      'closed from working as fixed'
    ])
  })

  it('lets a named guard refuse a transition before anything is written', async () => {
    const ticket = await tickets.create({ title: 'Feature wish', assignee: 'ana' })
    await tickets.patch(ticket.id, { status: 'working' })
    await assert.rejects(tickets.patch(ticket.id, { status: 'closed', resolution: 'wontfix' }), {
      code: 409,
      message: 'Only a lead closes as wontfix'
    })
    const stored = await tickets.get(ticket.id)
    assert.equal(stored.status, 'working')
    assert.equal(stored.resolution, null)
  })

  it('rolls the change and the earlier effects back when a later effect fails', async () => {
    const ticket = await tickets.create({ title: 'Flaky', assignee: 'ana' })
    await tickets.patch(ticket.id, { status: 'working' })
    const before = await entries(ticket.id)
    await assert.rejects(tickets.patch(ticket.id, { status: 'closed', resolution: 'explode' }), { code: 500 })
    assert.equal((await tickets.get(ticket.id)).status, 'working')
    assert.deepEqual(await entries(ticket.id), before)
  })

  it('runs no effects for a patch that leaves the state as it is', async () => {
    const ticket = await tickets.create({ title: 'Rename me', assignee: 'ana' })
    await tickets.patch(ticket.id, { title: 'Renamed', status: 'open' })
    assert.deepEqual(await entries(ticket.id), ['create: - -> open'])
  })
})

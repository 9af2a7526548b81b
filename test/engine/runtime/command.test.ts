import assert from 'node:assert/strict'
import { Conflict } from '@feathersjs/errors'
import type { Domain } from '../../../src/engine/domain'
import { defineCommand, step } from '../../../src/engine/runtime/command'
import { isolatedApp, type IsolatedApp } from '../../helpers/isolated-app'
import { ticketLog } from '../../helpers/ticket-log'

interface Input {
  title: string
  fail?: boolean
}
interface State {
  ticket: Record<string, any>
}

/** Opens a ticket, assigns it, starts it and logs it: four writes, one command. (Fixtures are not in the
 * generated service map that types `records`, hence the casts.) */
const openAndStart = defineCommand<Input, State, Record<string, any>>(
  'openAndStart',
  [
    step('recordTicket', async ({ input, state, records }) => {
      state.ticket = await (records as any).create('tickets', { title: input.title })
    }),
    step('assign', async ({ state, records }) => {
      state.ticket = await (records as any).patch('tickets', state.ticket!.id, { assignee: 'ana' })
    }),
    step('start', async ({ state, records }) => {
      state.ticket = await (records as any).patch('tickets', state.ticket!.id, { status: 'working' })
    }),
    step('failOnDemand', ({ input }) => {
      if (input.fail) throw new Conflict('asked to fail')
    })
  ],
  ({ state }) => state.ticket!
)

// A behaviour on tickets that a command's own writes must not run (the command replaces it).
const domain: Domain = {
  behaviours: {
    shout: {
      description: 'upper-cases titles written through the service',
      around: {
        create: [
          async (context, next) => {
            context.data = { ...context.data, title: String(context.data.title).toUpperCase() }
            await next()
          }
        ]
      }
    }
  },
  guards: { resolvedProperly: () => undefined },
  effects: {
    logChange: async ({ app, params, transition, record }) => {
      await app
        .service('ticket-log' as any)
        .create(
          { ticketId: record.id, entry: `${transition.name} -> ${transition.to}` },
          { transaction: params.transaction }
        )
    },
    noteStart: async () => undefined,
    noteClose: async () => undefined,
    failOnDemand: async () => undefined
  }
}

describe('engine: commands (named steps in one transaction, writing through records)', () => {
  let isolated: IsolatedApp
  const events: [string, any][] = []
  const logOf = (ticketId: number) => ticketLog(isolated.app, ticketId)

  before(async () => {
    isolated = await isolatedApp('test/fixtures/transitions', domain)
    const tickets = isolated.app.service('tickets')
    for (const name of ['created', 'patched']) tickets.on(name, (record: any) => events.push([name, record]))
  })
  after(() => isolated.close())
  beforeEach(() => (events.length = 0))

  it('names its steps', () => {
    assert.equal(openAndStart.commandName, 'openAndStart')
    assert.deepEqual(openAndStart.steps, ['recordTicket', 'assign', 'start', 'failOnDemand'])
  })

  it('runs the steps in order in one transaction, taking declared transitions with their effects', async () => {
    const ticket = await openAndStart(isolated.app, { title: 'Printer' }, {})
    assert.equal(ticket.status, 'working')
    assert.equal(ticket.assignee, 'ana')
    assert.deepEqual(await logOf(ticket.id), ['create -> open', 'start -> working'])
  })

  it('emits one event per record after the commit, with the record as last written', async () => {
    const ticket = await openAndStart(isolated.app, { title: 'Scanner' }, {})
    await new Promise((resolve) => setImmediate(resolve))
    const mine = events.filter(([, record]) => record.id === ticket.id)
    assert.deepEqual(
      mine.map(([name, record]) => [name, record.status]),
      [['created', 'working']]
    )
  })

  it('rolls every step back when a later one fails, and emits nothing', async () => {
    const before = (await isolated.app.service('tickets').find({ paginate: false })).length
    await assert.rejects(openAndStart(isolated.app, { title: 'Doomed', fail: true }, {}), { code: 409 })
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal((await isolated.app.service('tickets').find({ paginate: false })).length, before)
    assert.deepEqual(events, [])
  })

  it('runs no behaviour of the resource for its own writes (a service call does)', async () => {
    const viaService = await isolated.app.service('tickets').create({ title: 'quiet' })
    assert.equal(viaService.title, 'QUIET')
    const viaCommand = await openAndStart(isolated.app, { title: 'quiet' }, {})
    assert.equal(viaCommand.title, 'quiet')
  })

  it('refuses data the declaration refuses, naming the field', async () => {
    await assert.rejects(openAndStart(isolated.app, { title: 'x'.repeat(101) }, {}), (error: any) => {
      assert.equal(error.code, 400)
      assert.equal(error.errors[0].field, 'title')
      return true
    })
  })
})

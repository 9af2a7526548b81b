import assert from 'node:assert/strict'
import type { Knex } from 'knex'
import { afterCommit, afterCommitSettled } from '../../../src/engine/runtime/after-commit'
import { defineCommand, step } from '../../../src/engine/runtime/command'
import { testServer } from '../../helpers/server'

describe('engine: work after a commit', () => {
  let app: any
  let knex: Knex
  const logged: unknown[] = []
  const logger = { error: (entry: unknown) => logged.push(entry) }

  before(async () => {
    app = (await testServer()).app
    knex = app.get('knex')
  })

  it('runs after the commit, in the order registered, and may open a transaction of its own', async () => {
    const ran: string[] = []
    let opened: Knex.Transaction | undefined
    await knex.transaction(async (trx) => {
      opened = trx
      afterCommit(app, trx, 'first', async () => {
        // On PGlite's one connection this waits for the committed transaction to give it back.
        const { rows } = await knex.raw('select 1 as one')
        ran.push(`first ${rows[0].one}`)
      })
      afterCommit(app, trx, 'second', async () => void ran.push('second'))
      await trx.raw('select 1')
      assert.deepEqual(ran, [], 'nothing runs inside the transaction')
    })
    await afterCommitSettled(opened)
    assert.deepEqual(ran, ['first 1', 'second'])
  })

  it('drops the work of a rolled-back transaction', async () => {
    const ran: string[] = []
    let opened: Knex.Transaction | undefined
    await assert.rejects(
      knex.transaction(async (trx) => {
        opened = trx
        afterCommit(app, trx, 'never', async () => void ran.push('never'))
        throw new Error('rolled back')
      }),
      /rolled back/
    )
    await afterCommitSettled(opened)
    assert.deepEqual(ran, [])
  })

  it('logs a failing work and still runs the next; the waiter never sees the error', async () => {
    const ran: string[] = []
    const quiet = { get: (key: string) => (key === 'logger' ? logger : app.get(key)) }
    let opened: Knex.Transaction | undefined
    await knex.transaction(async (trx) => {
      opened = trx
      afterCommit(quiet, trx, 'broken', async () => {
        throw new Error('provider down')
      })
      afterCommit(quiet, trx, 'next', async () => void ran.push('next'))
    })
    await afterCommitSettled(opened)
    assert.deepEqual(ran, ['next'])
    assert.equal((logged.at(-1) as any).work, 'broken')
  })

  it('is awaited by a command that opened its own transaction', async () => {
    const ran: string[] = []
    const command = defineCommand<null, object, string>(
      'afterCommitProbe',
      [step('leave work', ({ trx }) => afterCommit(app, trx, 'probe', async () => void ran.push('done')))],
      () => 'answered'
    )
    assert.equal(await command(app, null, {}), 'answered')
    assert.deepEqual(ran, ['done'], 'the command returned after its work ran')
  })
})

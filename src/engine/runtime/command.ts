import type { Knex } from 'knex'
import type { Application } from '../../declarations'
import type { StepParams } from './guards-and-effects'
import { recordsFor, type Records } from './records'
import { settleHeldEvents } from '../pipeline/transaction'
import { afterCommitSettled } from './after-commit'

/** What every step of a command sees: the input, what earlier steps found, and the one write path. */
export interface CommandContext<Input, State> {
  app: Application
  /** The caller's params, inside the command's transaction (`params.transaction.trx`). */
  params: StepParams
  input: Input
  /** What earlier steps found or wrote, for the later ones (each step adds its part). */
  state: Partial<State>
  /** Writes through the engine's rules for the resource (validation, state machine, events after commit). */
  records: Records
  trx: Knex.Transaction
}

export interface Step<Input, State> {
  name: string
  run: (context: CommandContext<Input, State>) => Promise<void> | void
}

/** A named step: one small job of a command. */
export const step = <Input, State>(
  name: string,
  run: (context: CommandContext<Input, State>) => Promise<void> | void
): Step<Input, State> => ({ name, run })

export type Command<Input, Output> = ((
  app: Application,
  input: Input,
  params: Partial<StepParams>
) => Promise<Output>) & { commandName: string; steps: string[] }

/**
 * A cross-resource flow as a named list of steps run in order, in one transaction: the caller's when it has
 * one (a service method, an effect), else its own. A step that throws ends the command and rolls everything
 * back; the log names the command and the step. Writes go through `records`, which never re-enters a
 * resource's domain logic (its behaviours): the command is that logic. A command that opened its own
 * transaction returns once the work its steps left for after the commit (`afterCommit`) has run.
 */
export const defineCommand = <Input, State, Output>(
  name: string,
  steps: Step<Input, State>[],
  result: (context: CommandContext<Input, State>) => Output
): Command<Input, Output> => {
  const run = async (app: Application, input: Input, params: Partial<StepParams>): Promise<Output> => {
    if (!params.transaction) {
      const knex: Knex = app.get('knex')
      let opened: Knex.Transaction | undefined
      const output = await app.get('tableChanges').transaction(knex, async (trx: Knex.Transaction) => {
        opened = trx
        const answer = await run(app, input, { ...params, transaction: { trx } })
        await settleHeldEvents(trx)
        return answer
      })
      await afterCommitSettled(opened)
      return output
    }
    const inTransaction = params as StepParams
    const context: CommandContext<Input, State> = {
      app,
      params: inTransaction,
      input,
      state: {},
      records: recordsFor(app, inTransaction, name),
      trx: inTransaction.transaction.trx
    }
    for (const each of steps) {
      try {
        await each.run(context)
      } catch (error) {
        app.get('logger')?.debug({ command: name, step: each.name, err: error }, 'command step failed')
        throw error
      }
    }
    return result(context)
  }
  return Object.assign(run, { commandName: name, steps: steps.map((each) => each.name) })
}

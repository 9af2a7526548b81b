import { Conflict } from '@feathersjs/errors'
import type { HookContext } from '@feathersjs/feathers'
import type { ResourceDeclaration, Transition } from '../declarations/declaration'
import type { Domain } from '../domain'
import type { TransitionTaken } from '../runtime/guards-and-effects'

const missing = (value: unknown) =>
  value === undefined || value === null || (typeof value === 'string' && value.trim() === '')

/** The first field a transition `requires` that the record, as the patch leaves it, lacks; or none. */
export const unmetRequirement = (transition: Transition, record: Record<string, any>) =>
  transition.requires.find((field) => missing(record[field]))

/**
 * Whether the record may take the named transition as far as its declared requirements go: a 409 naming the
 * missing field otherwise. Contexts call it to refuse early (before asking a provider), with the same answer
 * the state machine would give.
 */
export const assertRequirements = (
  resource: ResourceDeclaration,
  name: string,
  record: Record<string, any>
) => {
  const transition = resource.states?.transitions[name]
  const field = transition && unmetRequirement(transition, record)
  if (field === undefined) return
  throw new Conflict(`Cannot ${name} ${resource.path} ${record.id}: ${field} is required first`, {
    field,
    transition: name,
    rule: 'requires'
  })
}

/** Requirements, then the named guards in order: any of them refuses with a 409 before anything is written. */
export const runGuards = async (
  context: HookContext,
  resource: ResourceDeclaration,
  domain: Domain,
  taken: TransitionTaken,
  record: Record<string, any>
) => {
  const transition = resource.states!.transitions[taken.name]
  assertRequirements(resource, taken.name, { ...record, ...context.data })
  for (const name of transition.guards) {
    await domain.guards![name]({
      app: context.app as any,
      params: context.params,
      resource,
      transition: taken,
      record,
      data: context.data
    })
  }
}

/**
 * The state machine's `effects` (every change), then the transition's own, in the method's transaction. An
 * effect may change the record itself (a refund that refunds the order): the result's fields are read again
 * after them, keeping what the behaviours added to it (an order's items).
 */
export const runEffects = async (
  context: HookContext,
  resource: ResourceDeclaration,
  domain: Domain,
  taken: TransitionTaken,
  before: Record<string, any> | undefined
) => {
  const machine = resource.states!
  const own = taken.from === null ? [] : machine.transitions[taken.name].effects
  const names = [...machine.effects, ...own]
  if (!names.length || !context.result) return
  for (const name of names) {
    await domain.effects![name]({
      app: context.app as any,
      params: context.params,
      resource,
      transition: taken,
      before,
      record: context.result
    })
  }
  const stored = await context.self._get(context.result.id, { transaction: context.params.transaction })
  // Only the fields the result has (a `$select` stays narrow); what the behaviours added stays.
  const result = { ...context.result }
  for (const name of Object.keys(result)) if (Object.hasOwn(stored, name)) result[name] = stored[name]
  context.result = result
}

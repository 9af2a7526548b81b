import { BadRequest, Conflict } from '@feathersjs/errors'
import type { HookContext, NextFunction } from '@feathersjs/feathers'
import type { ResourceDeclaration, Transition } from '../declarations/declaration'
import { ownerField } from '../runtime/policy'
import type { Domain } from '../domain'
import { runEffects, runGuards } from './transition-steps'

/** Who may request a transition: the server any; users by role or ownership; API keys none (no role to name). */
const mayRequest = (
  context: HookContext,
  resource: ResourceDeclaration,
  record: any,
  transition: Transition
) => {
  const { provider, user, apiKey } = context.params
  if (!provider) return true
  if (transition.system) return false
  if (apiKey) return false
  const owner = ownerField(resource)
  return transition.roles.some((role) =>
    role === 'owner' ? owner !== undefined && user && record[owner] === user.id : user?.roles?.includes(role)
  )
}

/**
 * A declared state machine: the state field changes only through a declared transition that the caller
 * may request, checked against the row locked in the method's transaction (two concurrent transitions
 * cannot both start from the same state). Anything else is a 409 naming the transitions allowed now.
 * Behaviours find the transition taken in `params.transition`. The transition's requirements and guards run
 * before the change is written; the declared effects after it (and after the behaviours), in the same
 * transaction. Creating a record counts as the change `create` to the initial state for `states.effects`.
 */
export const stateMachine = (resource: ResourceDeclaration, domain: Domain) => {
  const machine = resource.states!
  const { field } = machine
  const initial = resource.fields[field].default
  return async (context: HookContext, next: NextFunction) => {
    const target = context.data?.[field]
    if (context.method === 'create') {
      if (context.params.provider && target !== undefined && target !== initial) {
        throw new Conflict(`A new record starts as ${field} '${initial}'`, { field })
      }
      await next()
      if (!context.written) return // a command wrote the record, and ran its effects then
      const created = { name: 'create', from: null, to: context.result?.[field] }
      return runEffects(context, resource, domain, created, undefined)
    }
    if (target === undefined) {
      // A replacement (PUT) that leaves the state out keeps it: only a transition changes it.
      if (context.method === 'update' && context.id !== null && context.id !== undefined) {
        const record = await context.self._get(context.id, context.params)
        context.data = { ...context.data, [field]: record[field] }
      }
      return next()
    }
    if (context.id === null || context.id === undefined)
      throw new BadRequest(`Change ${field} one record at a time`)
    // Visibility first (the caller's row scope: someone else's record is a 404), then the lock.
    await context.self._get(context.id, context.params)
    const { trx } = context.params.transaction
    const record = await trx(resource.table).where({ id: context.id }).forUpdate().first()
    const from = record[field]
    if (from === target) return next()
    const possible = Object.entries(machine.transitions).filter(([, transition]) =>
      transition.from.includes(from)
    )
    const allowed = possible.filter(([, transition]) => mayRequest(context, resource, record, transition))
    const taken = allowed.find(([, transition]) => transition.to === target)
    if (!taken) {
      const names = allowed.map(([name, transition]) => `${name} (to ${transition.to})`)
      throw new Conflict(
        `Cannot change ${field} from '${from}' to '${target}'; allowed now: ${names.join(', ') || 'none'}`,
        {
          field,
          from,
          to: target,
          allowed: allowed.map(([name, transition]) => ({ name, to: transition.to }))
        }
      )
    }
    const transition = { name: taken[0], from, to: target }
    await runGuards(context, resource, domain, transition, record)
    context.params.transition = transition
    await next()
    if (context.written) await runEffects(context, resource, domain, transition, record)
  }
}

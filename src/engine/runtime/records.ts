import type { Id } from '@feathersjs/feathers'
import type { Application } from '../../declarations'
import type { StepParams } from './transition-steps'

/**
 * The one write path of commands: each call is the resource's service called internally, in the command's
 * transaction, marked with the command's name. It validates the data against the declaration, takes
 * declared transitions (their requirements, guards and effects), fills derived fields and holds the
 * realtime event until the commit — everything but the resource's behaviours, which a command replaces.
 */
export interface Records {
  create(path: string, data: Record<string, unknown>): Promise<Record<string, any>>
  patch(path: string, id: Id, data: Record<string, unknown>): Promise<Record<string, any>>
  get(path: string, id: Id): Promise<Record<string, any>>
}

export const recordsFor = (app: Application, params: StepParams, command: string): Records => {
  const internal = () => ({ transaction: params.transaction, user: params.user, command })
  const service = (path: string) => app.service(path as any) as any
  return {
    create: (path, data) => service(path).create(data, internal()),
    patch: (path, id, data) => service(path).patch(id, data, internal()),
    get: (path, id) => service(path).get(id, { transaction: params.transaction })
  }
}

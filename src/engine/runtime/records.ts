import type { Id } from '@feathersjs/feathers'
import type { Application, ServiceTypes } from '../../declarations'
import type { StepParams } from './guards-and-effects'

interface Writable {
  get(...args: any[]): Promise<any>
  create(data: any, ...rest: any[]): Promise<any>
  patch(id: any, data: any, ...rest: any[]): Promise<any>
}
/** The declared resources' paths (the generated service map), not the platform's other services. */
type Path = { [P in keyof ServiceTypes]: ServiceTypes[P] extends Writable ? P : never }[keyof ServiceTypes] &
  string
type CreateData<P extends Path> = ServiceTypes[P] extends { create(data: infer D, ...rest: any[]): any }
  ? D
  : never
type PatchData<P extends Path> = ServiceTypes[P] extends {
  patch(id: any, data: infer D, ...rest: any[]): any
}
  ? D
  : never
type RecordOf<P extends Path> = ServiceTypes[P] extends { get(...args: any[]): Promise<infer R> } ? R : never

/**
 * The one write path of commands: each call is the resource's service called internally, in the command's
 * transaction, marked with the command's name. It validates the data against the declaration, takes
 * declared transitions (their requirements, guards and effects), fills derived fields and holds the
 * realtime event until the commit — everything but the resource's behaviours, which a command replaces.
 * Typed by the generated service map: a wrong field name is a compile error.
 */
export interface Records {
  create<P extends Path>(path: P, data: CreateData<P>): Promise<RecordOf<P>>
  patch<P extends Path>(path: P, id: Id, data: PatchData<P>): Promise<RecordOf<P>>
  get<P extends Path>(path: P, id: Id): Promise<RecordOf<P>>
}

export const recordsFor = (app: Application, params: StepParams, command: string): Records => {
  const internal = () => ({ transaction: params.transaction, user: params.user, command })
  // One generic call for every path: the types above say what each path takes.
  const service = (path: Path) => app.service(path) as any
  return {
    create: (path, data) => service(path).create(data, internal()),
    patch: (path, id, data) => service(path).patch(id, data, internal()),
    get: (path, id) => service(path).get(id, { transaction: params.transaction })
  }
}

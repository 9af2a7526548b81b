// The server's view of a declared resource's service, typed by the generated record and body types
// (src/generated/services.ts maps each path to one), so `app.service('orders').patch(…)` checks its body and
// answers an `Order`. The runtime object is always a ResourceService; only its six methods are retyped.
import type { Id, Paginated } from '@feathersjs/feathers'
import type { KnexAdapterParams } from '@feathersjs/knex'
import type { Knex } from 'knex'
import type { ResourceService } from './resource-service'
import type { MethodName } from '../vocabulary'

/**
 * What a server-side call passes: the adapter's params (`paginate`, a `query` on any column: the server is not
 * bound to the declared filters), the transaction it joins, and the pipeline's own (`user`, …).
 */
export interface ServerParams extends Omit<KnexAdapterParams, 'transaction'> {
  /** The transaction of the call this one is part of (src/engine/pipeline/transaction.ts). */
  transaction?: { trx: Knex.Transaction }
  [key: string]: any
}

/**
 * A resource's service on the server. `Result` is the record as clients get it (internal calls may also see
 * hidden fields, which are not typed); `Data` is the create/update body, `Patch` the patch body.
 */
export type TypedService<Result, Data, Patch, Found extends 'page' | 'list' = 'page'> = Omit<
  ResourceService,
  MethodName
> & {
  find(params: ServerParams & { paginate: false }): Promise<Result[]>
  find(params?: ServerParams): Promise<Found extends 'page' ? Paginated<Result> : Result[]>
  get(id: Id, params?: ServerParams): Promise<Result>
  create(data: Data, params?: ServerParams): Promise<Result>
  update(id: Id, data: Data, params?: ServerParams): Promise<Result>
  patch(id: Id, data: Patch, params?: ServerParams): Promise<Result>
  remove(id: Id, params?: ServerParams): Promise<Result>
}

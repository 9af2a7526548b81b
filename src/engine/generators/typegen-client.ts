// The fixed part of src/generated/client.ts: a Feathers client service whose `find` and `get` type a
// `$select` answer as the selected fields only, and whose `create` answers what the server returns.

export const CLIENT_HELPERS = `/**
 * The record a query answers: with \`$select\`, only the selected fields, \`id\`, and what the server always adds
 * (\`Always\`, e.g. an order's \`items\`); without it, the whole record.
 */
export type Selected<R, Q, Always extends keyof R = never> = Q extends { $select: readonly (infer K)[] }
  ? Pick<R, Extract<K | 'id', keyof R> | Always>
  : R

/** A resource's client service: Feathers' \`ClientService\`, with \`$select\` and create answers typed. */
export interface ResourceClient<
  R,
  D,
  P,
  Q,
  Found extends 'page' | 'list',
  Created = R,
  Always extends keyof R = never
> extends Omit<ClientService<R, D, P, Found extends 'page' ? Paginated<R> : R[], Params<Q>>, 'find' | 'get' | 'create'> {
  find<S extends Q = Q>(
    params?: Params<S>
  ): Promise<Found extends 'page' ? Paginated<Selected<R, S, Always>> : Selected<R, S, Always>[]>
  get<S extends Q = Q>(id: Id, params?: Params<S>): Promise<Selected<R, S, Always>>
  create(data: D[], params?: Params<Q>): Promise<Created[]>
  create(data: D, params?: Params<Q>): Promise<Created>
}`

// Short lists every part of the server names: one place, so a new method or mutation is added once.

/** The service methods every declared resource has, in the order documentation lists them. */
export const METHODS = ['find', 'get', 'create', 'update', 'patch', 'remove'] as const
export type MethodName = (typeof METHODS)[number]

/** The methods that write: run in a transaction, take an Idempotency-Key, publish an event. */
export const MUTATION_METHODS = [
  'create',
  'update',
  'patch',
  'remove'
] as const satisfies readonly MethodName[]
export type MutationMethod = (typeof MUTATION_METHODS)[number]

export const isMutation = (method: string): method is MutationMethod =>
  (MUTATION_METHODS as readonly string[]).includes(method)

/** The methods that only read: all `apiKeys: read` and a read-only key allow, and all `$include` applies to. */
export const READ_METHODS = ['find', 'get'] as const satisfies readonly MethodName[]
export type ReadMethod = (typeof READ_METHODS)[number]

export const isRead = (method: string): method is ReadMethod =>
  (READ_METHODS as readonly string[]).includes(method)

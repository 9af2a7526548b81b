// The normalized shape of a resource declaration (src/contexts/*/*.yaml) after loading.
// The YAML grammar is documented in docs/declarations.md; the meta-schema is src/engine/declarations/meta-schema.json.

export type FieldTypeName =
  | 'id'
  | 'string'
  | 'text'
  | 'password'
  | 'integer'
  | 'number'
  | 'boolean'
  | 'enum'
  | 'date-time'
  | 'json'
  | 'ref'
  | 'createdAt'
  | 'updatedAt'
  | 'version'

/** A relation's name, or its name and the only fields of the related records it includes (and their id). */
export type RelationName = string | { name: string; fields?: string[] }

export type OnDelete = 'cascade' | 'set null' | 'restrict' | 'no action'

export interface FieldDeclaration {
  type: FieldTypeName
  optional?: boolean
  default?: unknown
  unique?: boolean
  index?: boolean
  readonly?: boolean
  hidden?: boolean
  search?: boolean
  owner?: boolean
  lowercase?: boolean
  /** Input only (e.g. `currentPassword`): validated and handed to behaviours, never stored or returned. */
  virtual?: boolean
  minLength?: number
  maxLength?: number
  pattern?: string
  format?: string
  min?: number
  max?: number
  values?: string[]
  schema?: Record<string, unknown>
  to?: string
  onDelete?: OnDelete
  /** On a `ref`: the name under which a record includes the record it refers to (belongsTo). */
  as?: RelationName
  /** On a `ref`: the name under which the referred-to record includes the records referring to it (hasMany). */
  reverse?: RelationName
  /** `<ref field>.<field>`: a copy of the referenced record's field, set by the server on every write. */
  derived?: string
  description?: string
}

export { METHODS, type MethodName } from '../vocabulary'
import type { Relation } from './relations'
import type { MethodName } from '../vocabulary'

/** A scalar, or an operator object, that a row must satisfy. */
export type WhereValue =
  string | number | boolean | null | { $in?: unknown[]; $nin?: unknown[]; $ne?: unknown }
export type Where = Record<string, WhereValue>

/** What one principal (public, authenticated, owner or a role name) may do with one method. */
export interface Grant {
  /** Rows this principal may see or change (AND-ed with the owner condition for `owner`). */
  where?: Where
  /** Fields this principal may write (create, update, patch); defaults to every writable field. */
  fields?: string[]
}

/** principal -> grant; an empty map means nobody may call the method from outside. */
export type MethodAccess = Record<string, Grant>

export interface ResourceDeclaration {
  name: string
  /** The REST path and service name; plural kebab-case, defaults to `name`. */
  path: string
  table: string
  description?: string
  fields: Record<string, FieldDeclaration>
  query: {
    filter: string[]
    sort: string[]
    paginate: { default: number; max: number } | false
  }
  softDelete: boolean
  access: Record<MethodName, MethodAccess>
  /** Realtime events: to everyone who may `get` the record, to its owner only (`owner`), or none. */
  realtime: boolean | 'owner'
  /** Whether its committed changes go to the event outbox (src/engine/events/outbox.ts). */
  publish: boolean
  /** Custom events (besides created, updated, patched, removed) the service may emit. */
  events: string[]
  /** Named behaviours (src/contexts/) whose hooks run inside the method's transaction. */
  behaviours: string[]
  /** Honour `Idempotency-Key` on mutations. */
  idempotent: boolean
  /** Whether API keys may be scoped to it: every method, `read` (find and get) or never. */
  apiKeys: ApiKeyUse
  /** Method -> the named rate limiter counting its calls per client address (`rateLimits` configures it). */
  rateLimit: Partial<Record<MethodName, string>>
  /** Relations by name (`as` and `reverse` on ref fields, this resource's and others'), linked by the loader. */
  relations: Record<string, Relation>
  /** Relations included in find and get results when the caller names none (`include: { default: [...] }`). */
  includeByDefault: string[]
  /** The default includes also in the results and events of writes (`include: { writes: true }`). */
  includeOnWrite: boolean
  /** Names in the GraphQL API overriding the derived ones (`graphql: { type, plural }`, docs/graphql.md). */
  graphql: { type?: string; plural?: string }
  /** A declared state machine on an enum field, or none. */
  states?: StateMachine
  /** The file the declaration came from, for error messages. */
  file: string
}

export interface Transition {
  from: string[]
  to: string
  /** Principals (owner, role names) that may request it; ignored for `by: system`. */
  roles: string[]
  /** Only the server (behaviours, providers) makes this transition. */
  system: boolean
  /** Fields that must hold a value before it is taken (the record as it will be: stored values and the patch). */
  requires: string[]
  /** Named guards (the domain's `guards`) that may refuse it, in order. */
  guards: string[]
  /** Named effects (the domain's `effects`) run after it, in the method's transaction, in order. */
  effects: string[]
}

export interface StateMachine {
  field: string
  transitions: Record<string, Transition>
  /** Named effects run after every change of the field, before the transition's own; also on create. */
  effects: string[]
}

export type ApiKeyUse = boolean | 'read'

export const PUBLIC = 'public'
export const AUTHENTICATED = 'authenticated'
export const OWNER = 'owner'

/** Resources are named in plural kebab-case; their tables use the same words in snake_case. */
export const tableName = (resourceName: string) => resourceName.replace(/-/g, '_')

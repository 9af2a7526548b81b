import {
  AUTHENTICATED,
  OWNER,
  PUBLIC,
  type Grant,
  type MethodName,
  type ResourceDeclaration,
  type Where
} from '../declarations/declaration'
import { fieldTypes } from '../declarations/field-types'

/** Who is calling: nobody (anonymous) or a user with roles. */
export interface Identity {
  id: number | string
  roles: string[]
}

/** `null`: every row; otherwise the rows matching at least one condition. */
export type RowScope = Where[] | null

export type AccessDecision =
  | { allowed: false; reason: 'not-authenticated' | 'forbidden' | 'field'; field?: string }
  | { allowed: true; scope: RowScope }

export const principalsOf = (identity?: Identity): string[] =>
  identity ? [PUBLIC, AUTHENTICATED, OWNER, ...identity.roles] : [PUBLIC]

export const ownerField = (resource: ResourceDeclaration) =>
  Object.keys(resource.fields).find((name) => resource.fields[name].owner)

/**
 * Fields a grant without an explicit `fields` list may write: everything but server-set and readonly fields,
 * the owner field, which the server sets to the caller on create, and derived fields, copied from a reference.
 */
export const defaultWritableFields = (resource: ResourceDeclaration) =>
  Object.keys(resource.fields).filter((name) => {
    const field = resource.fields[name]
    return !fieldTypes[field.type].managed && !field.readonly && !field.owner && !field.derived
  })

const grantsFor = (resource: ResourceDeclaration, method: MethodName, identity?: Identity) => {
  const access = resource.access[method]
  return principalsOf(identity)
    .filter((principal) => access[principal])
    .map((principal) => [principal, access[principal]] as [string, Grant])
}

const conditionOf = (
  resource: ResourceDeclaration,
  principal: string,
  grant: Grant,
  identity?: Identity
): Where => {
  const condition: Where = { ...grant.where }
  if (principal === OWNER) condition[ownerField(resource)!] = identity!.id
  return condition
}

const scopeOf = (resource: ResourceDeclaration, grants: [string, Grant][], identity?: Identity): RowScope => {
  const conditions = grants.map(([principal, grant]) => conditionOf(resource, principal, grant, identity))
  return conditions.some((condition) => Object.keys(condition).length === 0) ? null : conditions
}

/**
 * The declared policy for one call: may this identity call the method, on which rows, writing these fields?
 * Only the grants whose field list covers every written field count, so a field an owner may not write
 * cannot be smuggled in under another grant's row scope.
 */
export const decideAccess = (
  resource: ResourceDeclaration,
  method: MethodName,
  identity: Identity | undefined,
  writtenFields: string[] = []
): AccessDecision => {
  const grants = grantsFor(resource, method, identity)
  if (!grants.length) return { allowed: false, reason: identity ? 'forbidden' : 'not-authenticated' }
  // Own keys only: a body key such as `toString` names no field, though `fields.toString` is a function.
  const declared = writtenFields.filter((name) => Object.hasOwn(resource.fields, name))
  const defaults = defaultWritableFields(resource)
  const covering = grants.filter(([, grant]) =>
    declared.every((name) => (grant.fields ?? defaults).includes(name))
  )
  if (!covering.length) {
    const field = declared.find(
      (name) => !grants.some(([, grant]) => (grant.fields ?? defaults).includes(name))
    )
    return { allowed: false, reason: 'field', field: field ?? declared[0] }
  }
  return { allowed: true, scope: scopeOf(resource, covering, identity) }
}

const matchesValue = (actual: unknown, expected: Where[string]): boolean => {
  if (expected === null || typeof expected !== 'object') return actual === expected
  if (expected.$in && !expected.$in.includes(actual)) return false
  if (expected.$nin && expected.$nin.includes(actual)) return false
  if ('$ne' in expected && actual === expected.$ne) return false
  return true
}

export const matchesWhere = (record: Record<string, unknown>, where: Where) =>
  Object.entries(where).every(([name, expected]) => matchesValue(record[name], expected))

/**
 * Row conditions hold for writes too: a record created or changed under a grant with `where` must still
 * satisfy it (a created record with its defaults; a patch in the fields it sets), so nobody can create or
 * move a row outside the rows they may see.
 */
export const writeFitsScope = (
  resource: ResourceDeclaration,
  method: 'create' | 'update' | 'patch',
  record: Record<string, unknown>,
  scope: RowScope
) => {
  if (scope === null) return true
  const defaults = Object.fromEntries(
    Object.entries(resource.fields)
      .filter(([, field]) => field.default !== undefined)
      .map(([name, field]) => [name, field.default])
  )
  const candidate = method === 'create' ? { ...defaults, ...record } : record
  return scope.some((where) =>
    Object.entries(where).every(
      ([name, expected]) =>
        (method !== 'create' && !(name in candidate)) || matchesValue(candidate[name], expected)
    )
  )
}

/**
 * The Socket.io channels whose connections may `get` this record: one per role, one per owner,
 * `authenticated` and `everyone` (only the owner's with `realtime: owner`). Realtime events go to these and
 * nowhere else.
 */
export const channelsFor = (resource: ResourceDeclaration, record: Record<string, unknown>): string[] => {
  // `realtime: owner`: staff may read the records, but only their owner is told (a user's notifications).
  if (resource.realtime === 'owner') return [`users/${record[ownerField(resource)!]}`]
  const channels: string[] = []
  for (const [principal, grant] of Object.entries(resource.access.get)) {
    if (grant.where && !matchesWhere(record, grant.where)) continue
    if (principal === PUBLIC) channels.push('everyone')
    else if (principal === AUTHENTICATED) channels.push('authenticated')
    else if (principal === OWNER) channels.push(`users/${record[ownerField(resource)!]}`)
    else channels.push(`roles/${principal}`)
  }
  return channels
}

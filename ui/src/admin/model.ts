import type { ClientService, FeathersService, Params } from '@feathersjs/feathers'
import type { ClientApplication } from '../lib/client'
import type { ClientField, ClientModel, ClientResource } from '../lib/declarations'

// Everything the panel knows about resources comes from /declarations.json: these helpers read it.

export type AnyRecord = Record<string, any>
type AnyClientService = ClientService<AnyRecord, AnyRecord, AnyRecord, any, Params<any>>
export type AnyService = FeathersService<ClientApplication, AnyClientService>

/** A service by its declared path; resources are only known at run time, so the typed map is widened here. */
export const service = (client: ClientApplication, path: string) =>
  client.service(path as 'products') as unknown as AnyService

export const findResource = (model: ClientModel, name: string) =>
  model.resources.find((resource) => resource.name === name)

export const DATE_TYPES = new Set(['date-time', 'createdAt', 'updatedAt'])
export const NUMBER_TYPES = new Set(['integer', 'number', 'id', 'ref', 'version'])

/**
 * Staff roles are the roles that some resource names as a reader (`find`): today admin, support and catalog.
 * `customer` reads only through `owner`, so it is not staff. A new role gains the panel by being granted a list.
 */
export const staffRoles = (model: ClientModel) => {
  const roles = new Set<string>()
  for (const resource of model.resources)
    for (const principal of Object.keys(resource.access.find))
      if (!['public', 'authenticated', 'owner'].includes(principal)) roles.add(principal)
  return roles
}

export const isStaff = (model: ClientModel, roles: string[]) => {
  const staff = staffRoles(model)
  return roles.some((role) => staff.has(role))
}

/** Whether these roles may call a method through a role (or everyone): `owner` grants count only when asked. */
export const allowed = (
  resource: ClientResource | undefined,
  method: keyof ClientResource['access'],
  roles: string[],
  owner = false
) => {
  if (!resource) return false
  const principals = Object.keys(resource.access[method])
  return principals.some(
    (principal) =>
      principal === 'public' ||
      principal === 'authenticated' ||
      (owner && principal === 'owner') ||
      roles.includes(principal)
  )
}

/**
 * The fields these roles may write: a grant without `fields` gives the default writable fields (not server-set,
 * `readonly` or owner fields); a grant with `fields` gives exactly those, `readonly` ones included (that is how
 * admins write `users.roles`).
 */
export const writable = (
  resource: ClientResource,
  method: 'create' | 'patch',
  roles: string[],
  owner = false
): string[] => {
  const schema = resource.schemas[method === 'create' ? 'data' : 'patch'] as {
    properties?: Record<string, unknown>
  }
  const names = Object.keys(schema.properties ?? {}).filter(
    (name) => name !== 'version' && !resource.fields[name]?.managed
  )
  const grants = Object.entries(resource.access[method])
    .filter(
      ([principal]) =>
        roles.includes(principal) ||
        principal === 'public' ||
        principal === 'authenticated' ||
        (owner && principal === 'owner')
    )
    .map(([, grant]) => grant)
  const result = new Set<string>()
  for (const grant of grants) {
    if (grant.fields) for (const name of grant.fields) result.add(name)
    else
      for (const name of names)
        if (!resource.fields[name]?.readonly && !resource.fields[name]?.owner) result.add(name)
  }
  return names.filter((name) => result.has(name))
}

/** Fields a list or a detail shows: returned ones (not hidden, not input-only). */
export const visibleFields = (resource: ClientResource) =>
  Object.entries(resource.fields)
    .filter(([, field]) => !field.hidden && !field.virtual)
    .map(([name]) => name)

/** `createdAt` newest first when the resource sorts by it, else the server's default (by id). */
export const defaultSort = (resource: ClientResource): Record<string, 1 | -1> | undefined =>
  resource.query.sort?.includes('createdAt') ? { createdAt: -1 } : undefined

export const pageSize = (resource: ClientResource) =>
  resource.query.paginate === false ? undefined : (resource.query.paginate?.default ?? 20)

const ACRONYMS: Record<string, string> = { api: 'API', id: 'ID', ip: 'IP', sku: 'SKU', url: 'URL' }

/** `priceCents` → `Price cents`, `api-keys` → `API keys`, `userId` → `User ID`. */
export const humanize = (name: string) => {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[-_]/g, ' ')
    .toLowerCase()
    .split(' ')
    .map((word) => ACRONYMS[word] ?? word)
    .join(' ')
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/** The JSON schema of one property (the branch that is not `null` for optional fields). */
export const propertySchema = (schema: object, name: string): AnyRecord | undefined => {
  const property = (schema as AnyRecord).properties?.[name]
  if (!property) return undefined
  if (Array.isArray(property.anyOf)) return property.anyOf.find((branch: AnyRecord) => branch.type !== 'null')
  return property
}

/** The values of an enum field, or of a JSON array of enums (`users.roles`). */
export const enumValues = (resource: ClientResource, name: string, field: ClientField | undefined) =>
  field?.values ??
  (propertySchema(resource.schemas.patch, name)?.items?.enum as string[] | undefined) ??
  (propertySchema(resource.schemas.data, name)?.items?.enum as string[] | undefined)

/** A short text that names a record: its name, email, sku or title, else `#id`. */
export const recordTitle = (record: AnyRecord) =>
  String(record.name ?? record.email ?? record.sku ?? record.title ?? `#${record.id}`)

/** The money fields of a record: `…Cents` integers, shown with the record's currency. */
export const isMoney = (name: string, record?: AnyRecord) =>
  /Cents$/.test(name) && (!record || typeof record.currency === 'string')

/** Whether the signed-in user owns a record (through the resource's `owner` field). */
export const ownsRecord = (resource: ClientResource, record: AnyRecord | undefined, userId: number) => {
  const owner = Object.entries(resource.fields).find(([, field]) => field.owner)?.[0]
  return !!record && !!owner && record[owner] === userId
}

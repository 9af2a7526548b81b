import type { ClientModel, ClientResource } from '../../../src/engine/client-model-types'

export type { ClientModel, ClientResource }
export type { ClientField } from '../../../src/engine/client-model-types'

let model: Promise<ClientModel> | undefined

/** The declarations as the server describes them to clients (`GET /declarations.json`), fetched once. */
export const loadDeclarations = () =>
  (model ??= fetch('/declarations.json').then((response) => {
    if (!response.ok) throw new Error(`Could not load /declarations.json (${response.status})`)
    return response.json() as Promise<ClientModel>
  }))

/** Whether a user with these roles may call a method at all (the server decides rows and fields). */
export const mayCall = (
  resource: ClientResource,
  method: keyof ClientResource['access'],
  roles: string[],
  { owner = true }: { owner?: boolean } = {}
) => {
  const principals = Object.keys(resource.access[method])
  return (
    principals.includes('public') ||
    principals.includes('authenticated') ||
    (owner && principals.includes('owner')) ||
    roles.some((role) => principals.includes(role))
  )
}

/** The fields these roles may write with a method: the union of their grants (no list: every writable field). */
export const writableFields = (
  resource: ClientResource,
  method: 'create' | 'patch',
  roles: string[],
  { owner = false }: { owner?: boolean } = {}
): string[] => {
  const grants = Object.entries(resource.access[method])
    .filter(
      ([principal]) =>
        roles.includes(principal) ||
        principal === 'authenticated' ||
        principal === 'public' ||
        (owner && principal === 'owner')
    )
    .map(([, grant]) => grant)
  const schema = resource.schemas[method === 'create' ? 'data' : 'patch'] as {
    properties?: Record<string, unknown>
  }
  const all = Object.keys(schema.properties ?? {}).filter(
    (name) => name !== 'version' && !resource.fields[name]?.readonly
  )
  if (grants.some((grant) => !grant.fields)) return all
  const allowed = new Set(grants.flatMap((grant) => grant.fields ?? []))
  return all.filter((name) => allowed.has(name))
}

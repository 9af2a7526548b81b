import {
  METHODS,
  tableName,
  type FieldDeclaration,
  type Grant,
  type MethodAccess,
  type MethodName,
  type ResourceDeclaration
} from './declaration'

type RawGrant = 'all' | Grant
type RawAccess = 'none' | string[] | Record<string, RawGrant>

/** `none`, `[admin, owner]` and `{ admin: all, public: { where: … } }` all become principal -> grant. */
const normalizeAccess = (raw: RawAccess | undefined): MethodAccess => {
  if (raw === undefined || raw === 'none') return {}
  if (Array.isArray(raw)) return Object.fromEntries(raw.map((principal) => [principal, {}]))
  return Object.fromEntries(
    Object.entries(raw).map(([principal, grant]) => [principal, grant === 'all' ? {} : grant])
  )
}

export const normalizeDeclaration = (raw: any, file: string): ResourceDeclaration => {
  const paginate = raw.query?.paginate
  return {
    name: raw.name,
    path: raw.name,
    table: tableName(raw.name),
    description: raw.description,
    fields: raw.fields as Record<string, FieldDeclaration>,
    query: {
      filter: raw.query?.filter ?? [],
      sort: raw.query?.sort ?? [],
      paginate: paginate === false ? false : (paginate ?? { default: 20, max: 100 })
    },
    softDelete: raw.softDelete ?? false,
    realtime: raw.realtime ?? true,
    publish: raw.publish ?? true,
    events: raw.events ?? [],
    behaviours: raw.behaviours ?? [],
    idempotent: raw.idempotent ?? false,
    apiKeys: raw.apiKeys ?? true,
    rateLimit: raw.rateLimit ?? {},
    relations: {},
    includeByDefault: raw.include?.default ?? [],
    includeOnWrite: raw.include?.writes ?? false,
    graphql: raw.graphql ?? {},
    states: raw.states && {
      field: raw.states.field,
      transitions: Object.fromEntries(
        Object.entries<any>(raw.states.transitions).map(([name, t]) => [
          name,
          {
            from: [t.from].flat(),
            to: t.to,
            roles: t.roles ?? [],
            system: t.by === 'system',
            requires: t.requires ?? [],
            guards: t.guards ?? [],
            effects: t.effects ?? []
          }
        ])
      ),
      effects: raw.states.effects ?? []
    },
    access: Object.fromEntries(
      METHODS.map((method) => [method, normalizeAccess(raw.access?.[method])])
    ) as Record<MethodName, MethodAccess>,
    file
  }
}

import type { ResourceDeclaration } from '../declarations/declaration'
import type { Relation } from '../declarations/relations'

/** A resource someone may read: only those can be reached through a relation. */
export const readable = (resource: ResourceDeclaration) => Object.keys(resource.access.get).length > 0

/** A resource with any grant gets a type in the GraphQL schema; one nobody may call has none. */
export const exposed = (resource: ResourceDeclaration) =>
  Object.values(resource.access).some((grants) => Object.keys(grants).length > 0)

/**
 * The relation fields of a type: the declared relations (`as`, `reverse`), plus one per other reference
 * `<x>Id` as `<x>` (orders' `userId` -> `user`), when no field or relation has that name. Only towards
 * resources someone may `get`; each record is then resolved through the reader's own access.
 */
export const graphqlRelations = (
  resource: ResourceDeclaration,
  resources: ResourceDeclaration[]
): Relation[] => {
  const byName = new Map(resources.map((other) => [other.name, other]))
  const declared = Object.values(resource.relations ?? {})
  const taken = new Set([...Object.keys(resource.fields), ...declared.map((relation) => relation.name)])
  const covered = new Set(declared.filter((r) => r.kind === 'belongsTo').map((r) => r.field))
  const implicit = Object.entries(resource.fields)
    .filter(([name, field]) => field.type === 'ref' && !field.hidden && !covered.has(name))
    .filter(([name]) => /^[a-z][A-Za-z0-9]*Id$/.test(name) && !taken.has(name.slice(0, -2)))
    .map(([name, field]): Relation => ({
      name: name.slice(0, -2),
      kind: 'belongsTo',
      resource: field.to!,
      field: name,
      declaredIn: { resource: resource.name, pointer: ['fields', name] }
    }))
  return [...declared, ...implicit].filter((relation) => {
    const related = byName.get(relation.resource)
    const clash = resource.fields[relation.name]
    // Only an input-only field may share a relation's name (orders' `items`), as in the declarations' check.
    return related !== undefined && readable(related) && (!clash || clash.virtual)
  })
}

import type { RelationName, ResourceDeclaration } from './declaration'

/**
 * A named way from a record to related records, declared on a `ref` field: `as` names the record it refers to
 * (belongsTo, on the declaring resource), `reverse` the records referring to one (hasMany, on the target).
 */
export interface Relation {
  name: string
  kind: 'belongsTo' | 'hasMany'
  /** The related resource. */
  resource: string
  /** The ref field: on this resource for belongsTo, on the related resource for hasMany. */
  field: string
  /** Only these fields of each related record (and its id); all its visible fields when absent. */
  fields?: string[]
  /** Where the relation is declared, for error messages: resource name and pointer. */
  declaredIn: { resource: string; pointer: string[] }
}

const named = (relation: RelationName) =>
  typeof relation === 'string' ? { name: relation } : { name: relation.name, fields: relation.fields }

/** Every relation a resource has, by name, in declaration order (duplicates are the check's business). */
export const relationList = (resource: ResourceDeclaration, resources: ResourceDeclaration[]): Relation[] => {
  const belongsTo = Object.entries(resource.fields)
    .filter(([, field]) => field.type === 'ref' && field.as && field.to)
    .map(([name, field]): Relation => ({
      ...named(field.as!),
      kind: 'belongsTo',
      resource: field.to!,
      field: name,
      declaredIn: { resource: resource.name, pointer: ['fields', name, 'as'] }
    }))
  const hasMany = resources.flatMap((other) =>
    Object.entries(other.fields)
      .filter(([, field]) => field.type === 'ref' && field.reverse && field.to === resource.name)
      .map(([name, field]): Relation => ({
        ...named(field.reverse!),
        kind: 'hasMany',
        resource: other.name,
        field: name,
        declaredIn: { resource: other.name, pointer: ['fields', name, 'reverse'] }
      }))
  )
  return [...belongsTo, ...hasMany]
}

export const relationsOf = (
  resource: ResourceDeclaration,
  resources: ResourceDeclaration[]
): Record<string, Relation> =>
  Object.fromEntries(relationList(resource, resources).map((relation) => [relation.name, relation]))

/** `orderId.userId` -> the ref field and the referenced record's field it copies. */
export const derivation = (derived: string) => {
  const [ref, field] = derived.split('.')
  return { ref, field }
}

import { METHODS, type FieldDeclaration, type ResourceDeclaration } from './declaration'
import { fieldTypes } from './field-types'
import { derivation, relationList } from './relations'
import type { Problem } from './check'

/** Relation names: unique per resource, never a stored field's name (a virtual, input-only field's is fine). */
const checkNames = (resource: ResourceDeclaration, resources: ResourceDeclaration[], fileOf: FileOf) => {
  const problems: Problem[] = []
  const seen = new Set<string>()
  for (const relation of relationList(resource, resources)) {
    const at = (message: string) =>
      problems.push({
        file: fileOf(relation.declaredIn.resource),
        pointer: relation.declaredIn.pointer,
        message
      })
    const field = resource.fields[relation.name]
    if (field && !field.virtual)
      at(`relation '${relation.name}' clashes with the field '${relation.name}' of ${resource.name}`)
    else if (seen.has(relation.name)) at(`${resource.name} already has a relation named '${relation.name}'`)
    seen.add(relation.name)
    const related = resources.find((other) => other.name === relation.resource)
    relation.fields?.forEach((name, index) => {
      const field = related?.fields[name]
      if (related && (!field || field.hidden || field.virtual))
        problems.push({
          file: fileOf(relation.declaredIn.resource),
          pointer: [...relation.declaredIn.pointer, 'fields', String(index)],
          message: `${related.name} has no readable field '${name}'`
        })
    })
  }
  const defaults = resource.includeByDefault ?? []
  defaults.forEach((name, index) => {
    if (!seen.has(name))
      problems.push({
        file: resource.file,
        pointer: ['include', 'default', String(index)],
        message: `'${name}' is not a relation of ${resource.name}`
      })
  })
  return problems
}

const describeType = (field: FieldDeclaration) => (field.type === 'ref' ? `ref to ${field.to}` : field.type)

/** `derived: orderId.userId`: a ref of this resource, a field of its target of the same type, never client-written. */
const checkDerived = (resource: ResourceDeclaration, byName: Map<string, ResourceDeclaration>) => {
  const problems: Problem[] = []
  for (const [name, field] of Object.entries(resource.fields)) {
    if (!field.derived) continue
    const at = (pointer: string[], message: string) =>
      problems.push({ file: resource.file, pointer: ['fields', name, ...pointer], message })
    const { ref, field: source } = derivation(field.derived)
    const refField = resource.fields[ref]
    const target = refField?.to ? byName.get(refField.to) : undefined
    const copied = target?.fields[source]
    if (refField?.type !== 'ref' || ref === name)
      at(['derived'], `'${ref}' is not a ref field of ${resource.name}`)
    else if (!target)
      continue // the ref's own check names the undeclared resource
    else if (!copied || copied.virtual || copied.hidden)
      at(['derived'], `${target.name} has no readable field '${source}'`)
    else if (copied.type !== field.type || (field.type === 'ref' && copied.to !== field.to))
      at(
        ['derived'],
        `'${field.derived}' is of type ${describeType(copied)}, ${name} of type ${describeType(field)}`
      )
    if (field.virtual || fieldTypes[field.type].managed)
      at(['derived'], `a ${field.virtual ? 'virtual' : field.type} field cannot be derived`)
    for (const method of METHODS) {
      for (const [principal, grant] of Object.entries(resource.access[method])) {
        const index = grant.fields?.indexOf(name) ?? -1
        if (index >= 0)
          problems.push({
            file: resource.file,
            pointer: ['access', method, principal, 'fields', String(index)],
            message: `'${name}' is derived from ${field.derived}: the server sets it`
          })
      }
    }
  }
  return problems
}

type FileOf = (resource: string) => string

export const checkRelations = (resources: ResourceDeclaration[]): Problem[] => {
  const byName = new Map(resources.map((resource) => [resource.name, resource]))
  const fileOf: FileOf = (name) => byName.get(name)!.file
  return resources.flatMap((resource) => [
    ...checkNames(resource, resources, fileOf),
    ...checkDerived(resource, byName)
  ])
}

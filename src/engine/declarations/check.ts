import { dataValidator } from '../validators'
import {
  METHODS,
  OWNER,
  type FieldDeclaration,
  type FieldTypeName,
  type ResourceDeclaration
} from './declaration'
import { fieldTypes } from './field-types'
import { emptyDomain, type Domain } from '../domain'
import { checkRules } from './check-rules'
import { checkRelations } from './check-relations'

export interface Problem {
  file: string
  pointer: string[]
  message: string
}

// Options that only make sense on some types; anything else on a field is a mistake worth naming.
const typeOptions: Partial<Record<keyof FieldDeclaration, FieldTypeName[]>> = {
  minLength: ['string', 'text', 'password'],
  maxLength: ['string', 'text', 'password'],
  pattern: ['string', 'text'],
  format: ['string'],
  lowercase: ['string'],
  search: ['string', 'text'],
  min: ['integer', 'number'],
  max: ['integer', 'number'],
  values: ['enum'],
  schema: ['json'],
  to: ['ref'],
  onDelete: ['ref'],
  as: ['ref'],
  reverse: ['ref'],
  owner: ['id', 'ref']
}
const notFilterable: FieldTypeName[] = ['json', 'password']

const checkField = (
  resource: ResourceDeclaration,
  name: string,
  field: FieldDeclaration,
  names: Set<string>
) => {
  const problems: [string[], string][] = []
  const at = (key: string, message: string) => problems.push([['fields', name, key], message])
  for (const [option, types] of Object.entries(typeOptions)) {
    if (field[option as keyof FieldDeclaration] !== undefined && !types.includes(field.type)) {
      at(option, `'${option}' does not apply to type ${field.type} (only to ${types.join(', ')})`)
    }
  }
  if (field.type === 'id' && name !== 'id') at('type', "the id field must be named 'id'")
  if (field.type === 'version' && name !== 'version') at('type', "the version field must be named 'version'")
  if (field.type === 'password' && !field.hidden && !field.virtual) {
    at('hidden', 'a password field must be hidden (or virtual): its hash is never returned')
  }
  if (field.type === 'ref' && field.to && !names.has(field.to))
    at('to', `refers to undeclared resource '${field.to}'`)
  if (field.onDelete === 'set null' && !field.optional)
    at('onDelete', "'set null' needs the field to be optional")
  if (field.minLength !== undefined && field.maxLength !== undefined && field.minLength > field.maxLength) {
    at('minLength', 'minLength is greater than maxLength')
  }
  if (field.min !== undefined && field.max !== undefined && field.min > field.max)
    at('min', 'min is greater than max')
  if (field.default !== undefined) {
    if (fieldTypes[field.type].managed)
      at('default', `a ${field.type} field is set by the server and takes no default`)
    else if (!dataValidator.validate(fieldTypes[field.type].schema(field), field.default)) {
      at(
        'default',
        `default ${JSON.stringify(field.default)} breaks the field's own constraint: ${dataValidator.errorsText()}`
      )
    }
  }
  if (field.hidden && field.owner) at('hidden', 'the owner field cannot be hidden')
  if (field.virtual) {
    for (const option of ['unique', 'index', 'default', 'owner', 'hidden'] as const) {
      if (field[option] !== undefined)
        at(option, `'${option}' does not apply to a virtual (input-only) field`)
    }
  }
  return problems.map(([pointer, message]) => ({ file: resource.file, pointer, message }))
}

/** The state machine: states of the enum field, owners, required fields, and guard and effect names. */
const checkStateMachine = (resource: ResourceDeclaration, domain: Domain): Problem[] => {
  const problems: Problem[] = []
  const problem = (pointer: string[], message: string) =>
    problems.push({ file: resource.file, pointer, message })
  const fields = resource.fields
  const owners = Object.keys(fields).filter((name) => fields[name].owner)
  const checkEffects = (names: string[], pointer: string[]) =>
    names.forEach((effect, index) => {
      if (!Object.hasOwn(domain.effects ?? {}, effect))
        problem([...pointer, String(index)], `unknown effect '${effect}' (see src/contexts/)`)
    })
  const machine = resource.states!
  const field = fields[machine.field]
  if (field?.type !== 'enum') problem(['states', 'field'], `the state field must be a declared enum field`)
  const values = field?.values ?? []
  for (const [name, transition] of Object.entries(machine.transitions)) {
    for (const state of [...transition.from, transition.to]) {
      if (field && !values.includes(state))
        problem(['states', 'transitions', name], `'${state}' is not a value of ${machine.field}`)
    }
    if (transition.roles.includes(OWNER) && !owners.length) {
      problem(['states', 'transitions', name, 'roles'], "'owner' needs a field declared with owner: true")
    }
    transition.requires.forEach((required, index) => {
      if (!Object.hasOwn(fields, required) || fields[required].virtual)
        problem(
          ['states', 'transitions', name, 'requires', String(index)],
          `'${required}' is not a stored field`
        )
    })
    transition.guards.forEach((guard, index) => {
      if (!Object.hasOwn(domain.guards ?? {}, guard))
        problem(
          ['states', 'transitions', name, 'guards', String(index)],
          `unknown guard '${guard}' (see src/contexts/)`
        )
    })
    checkEffects(transition.effects, ['states', 'transitions', name, 'effects'])
  }
  checkEffects(machine.effects, ['states', 'effects'])
  return problems
}

const checkResource = (resource: ResourceDeclaration, names: Set<string>, domain: Domain): Problem[] => {
  const problems: Problem[] = []
  const problem = (pointer: string[], message: string) =>
    problems.push({ file: resource.file, pointer, message })
  const fields = resource.fields
  const fieldNames = Object.keys(fields)
  if (fields.id?.type !== 'id') problem(['fields'], "a resource needs a field 'id' of type id")
  for (const [name, field] of Object.entries(fields))
    problems.push(...checkField(resource, name, field, names))
  const owners = fieldNames.filter((name) => fields[name].owner)
  if (owners.length > 1)
    problem(['fields', owners[1], 'owner'], `only one owner field is allowed (also ${owners[0]})`)
  if (resource.realtime === 'owner' && !owners.length)
    problem(['realtime'], 'realtime: owner needs an owner field (owner: true) to know whom to tell')
  if (resource.softDelete && fields.deletedAt)
    problem(['fields', 'deletedAt'], 'softDelete adds deletedAt itself')

  for (const kind of ['filter', 'sort'] as const) {
    resource.query[kind].forEach((name, index) => {
      if (!fields[name]) problem(['query', kind, String(index)], `${kind} on undeclared field '${name}'`)
      else if (fields[name].hidden || fields[name].virtual || notFilterable.includes(fields[name].type)) {
        const what = fields[name].hidden ? 'hidden' : fields[name].virtual ? 'virtual' : fields[name].type
        problem(['query', kind, String(index)], `cannot ${kind} on ${what} field '${name}'`)
      }
    })
  }
  resource.behaviours.forEach((name, index) => {
    if (!Object.hasOwn(domain.behaviours, name))
      problem(['behaviours', String(index)], `unknown behaviour '${name}' (see src/contexts/)`)
  })
  if (resource.states) problems.push(...checkStateMachine(resource, domain))
  problems.push(...checkRules(resource, domain))
  const paginate = resource.query.paginate
  if (paginate && paginate.default > paginate.max)
    problem(['query', 'paginate', 'default'], 'default is above max')

  for (const method of METHODS) {
    for (const [principal, grant] of Object.entries(resource.access[method])) {
      const at = ['access', method, principal]
      if (principal === OWNER && !owners.length)
        problem(at, "'owner' needs a field declared with owner: true")
      for (const name of Object.keys(grant.where ?? {})) {
        if (!fields[name]) problem([...at, 'where', name], `condition on undeclared field '${name}'`)
      }
      if (grant.fields && !['create', 'update', 'patch'].includes(method)) {
        problem([...at, 'fields'], `'fields' only applies to create, update and patch`)
      }
      grant.fields?.forEach((name, index) => {
        if (!fields[name]) problem([...at, 'fields', String(index)], `undeclared field '${name}'`)
        else if (fieldTypes[fields[name].type].managed)
          problem([...at, 'fields', String(index)], `'${name}' is set by the server`)
      })
    }
  }
  return problems
}

/** Rules the meta-schema cannot express: references between fields, resources and constraints. */
export const checkDeclarations = (
  resources: ResourceDeclaration[],
  domain: Domain = emptyDomain
): Problem[] => {
  const names = new Set(resources.map((resource) => resource.name))
  return [
    ...resources.flatMap((resource) => checkResource(resource, names, domain)),
    ...checkRelations(resources)
  ]
}

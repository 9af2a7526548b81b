import { AUTHENTICATED, METHODS, OWNER, PUBLIC, type Grant, type ResourceDeclaration } from './declaration'
import type { Problem } from './check'

export const ROLES_FILE = '_roles.yaml'

export interface RoleDeclaration {
  description: string
  /** Runs the platform: exempt from the per-address limits, and the role the first admin is given. */
  administrative?: boolean
  grants: Record<string, Partial<Record<(typeof METHODS)[number], Grant>>>
}

const grantSchema = {
  oneOf: [
    { const: 'all' },
    {
      type: 'object',
      additionalProperties: false,
      properties: { where: { type: 'object' }, fields: { type: 'array', items: { type: 'string' } } }
    }
  ]
}

/** JSON Schema of `_roles.yaml`. */
export const rolesMetaSchema = {
  $id: 'roles-declaration',
  type: 'object',
  additionalProperties: false,
  required: ['roles'],
  properties: {
    roles: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: '^[a-z][a-zA-Z0-9_-]*$', not: { enum: [PUBLIC, AUTHENTICATED, OWNER] } },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['description'],
        properties: {
          description: { type: 'string', minLength: 1 },
          administrative: { type: 'boolean' },
          grants: {
            type: 'object',
            additionalProperties: {
              type: 'object',
              propertyNames: { enum: [...METHODS] },
              additionalProperties: grantSchema
            }
          }
        }
      }
    }
  }
}

/**
 * Merges each role's grants into the resources' access maps and names every role a declaration uses
 * without declaring it, every grant on an undeclared resource, and every grant given twice.
 */
export const applyRoles = (
  resources: ResourceDeclaration[],
  roles: Record<string, RoleDeclaration>,
  rolesFile: string
): Problem[] => {
  const problems: Problem[] = []
  const byName = new Map(resources.map((resource) => [resource.name, resource]))
  for (const [role, declaration] of Object.entries(roles)) {
    for (const [resourceName, methods] of Object.entries(declaration.grants ?? {})) {
      const resource = byName.get(resourceName)
      const at = ['roles', role, 'grants', resourceName]
      if (!resource) {
        problems.push({
          file: rolesFile,
          pointer: at,
          message: `grants on undeclared resource '${resourceName}'`
        })
        continue
      }
      for (const [method, grant] of Object.entries(methods)) {
        const access = resource.access[method as (typeof METHODS)[number]]
        if (access[role]) {
          problems.push({
            file: rolesFile,
            pointer: [...at, method],
            message: `${resourceName}.yaml already grants ${method} to ${role}`
          })
        }
        access[role] = (grant as unknown) === 'all' ? {} : grant
      }
    }
  }
  if (!administrativeRoles(roles).length)
    problems.push({
      file: rolesFile,
      pointer: ['roles'],
      message: 'no role is `administrative: true`: declare the role that runs the platform'
    })
  const builtIn = [PUBLIC, AUTHENTICATED, OWNER]
  const declared = Object.keys(roles).sort().join(', ')
  for (const resource of resources) {
    for (const [name, transition] of Object.entries(resource.states?.transitions ?? {})) {
      for (const role of transition.roles.filter((role) => role !== OWNER && !roles[role])) {
        problems.push({
          file: resource.file,
          pointer: ['states', 'transitions', name, 'roles'],
          message: `unknown role '${role}' (declare it in ${ROLES_FILE})`
        })
      }
    }
    // A field holding a user's roles must offer exactly the declared roles.
    const listed = (resource.fields.roles?.schema as any)?.items?.enum as string[] | undefined
    if (listed && [...listed].sort().join(', ') !== declared) {
      problems.push({
        file: resource.file,
        pointer: ['fields', 'roles', 'schema'],
        message: `the roles offered (${listed.join(', ')}) differ from those declared in ${ROLES_FILE} (${declared})`
      })
    }
    for (const method of METHODS) {
      for (const principal of Object.keys(resource.access[method])) {
        if (!builtIn.includes(principal) && !roles[principal]) {
          problems.push({
            file: resource.file,
            pointer: ['access', method, principal],
            message: `unknown role '${principal}' (declare it in ${ROLES_FILE})`
          })
        }
      }
    }
  }
  return problems
}

/** The roles declared `administrative: true`, in declaration order. */
export const administrativeRoles = (roles: Record<string, RoleDeclaration>) =>
  Object.entries(roles)
    .filter(([, role]) => role.administrative === true)
    .map(([name]) => name)

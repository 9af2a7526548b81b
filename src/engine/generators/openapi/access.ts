// "Who may call": read from the access maps the policy enforces (src/engine/runtime/policy.ts), and the
// state machine's transitions, for the operation descriptions.
import {
  OWNER,
  type Grant,
  type MethodName,
  type ResourceDeclaration,
  type Where
} from '../../declarations/declaration'
import { ownerField } from '../../runtime/policy'
import { keysMayCall } from '../../runtime/api-key-use'

const describeCondition = (value: Where[string]): string => {
  if (value === null || typeof value !== 'object') return `= ${value}`
  const parts: string[] = []
  if (value.$in) parts.push(`in (${value.$in.join(', ')})`)
  if (value.$nin) parts.push(`not in (${value.$nin.join(', ')})`)
  if ('$ne' in value) parts.push(`≠ ${value.$ne}`)
  return parts.join(' and ')
}

const describeGrant = (
  resource: ResourceDeclaration,
  method: MethodName,
  principal: string,
  grant: Grant
) => {
  const notes: string[] = []
  if (principal === OWNER)
    notes.push(
      method === 'create'
        ? 'any logged-in user; the record is theirs'
        : `own records: ${ownerField(resource)} = their user id`
    )
  if (grant.where) {
    const conditions = Object.entries(grant.where).map(
      ([name, value]) => `${name} ${describeCondition(value)}`
    )
    notes.push(`${method === 'create' ? 'records' : 'rows'} where ${conditions.join(' and ')}`)
  }
  if (grant.fields) notes.push(`fields: ${grant.fields.join(', ')}`)
  return notes.length ? `${principal} (${notes.join('; ')})` : principal
}

/** "public (rows where status = active); admin; catalog": the principals of `access[method]` and their limits. */
export const describeAccess = (resource: ResourceDeclaration, method: MethodName) => {
  const grants = Object.entries(resource.access[method]).map(([principal, grant]) =>
    describeGrant(resource, method, principal, grant)
  )
  return `**Who may call:** ${grants.join('; ')}.`
}

/** Who among API keys: those scoped to it, unless the declaration closes the resource (or its writes) to keys. */
export const apiKeyNote = (resource: ResourceDeclaration, method: MethodName) =>
  !keysMayCall(resource, method)
    ? `API keys: none (\`apiKeys: ${resource.apiKeys}\` in its declaration).`
    : `API keys: those with a scope for \`${method}\` on \`${resource.path}\` (every row).`

export const describeStates = (resource: ResourceDeclaration) => {
  const machine = resource.states
  if (!machine) return []
  const lines = Object.entries(machine.transitions).map(([name, transition]) => {
    const who = transition.system ? 'the server only' : transition.roles.join(', ')
    const needs = transition.requires.length
      ? ` — requires ${transition.requires.map((field) => `\`${field}\``).join(', ')} (else a 409 naming it)`
      : ''
    return `- \`${name}\`: ${transition.from.join(', ')} → ${transition.to} (${who})${needs}`
  })
  // One block: the description's paragraphs are joined with blank lines, a list must not be.
  return [
    `**\`${machine.field}\` changes only through these transitions** (any other change is a 409 naming the ` +
      `transitions allowed now):\n${lines.join('\n')}`
  ]
}

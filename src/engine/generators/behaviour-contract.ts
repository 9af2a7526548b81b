// What behaviours add to a resource's contract beyond its declaration: properties they put into results,
// fields they require, values they accept, rules and statuses. The engine knows no behaviour: each context
// states its own behaviours' contracts (src/contexts/<name>/contract.ts) and registers them in the Domain
// (`contracts`, by behaviour name); this merges those of a resource's behaviours, for the OpenAPI document and
// the generated types. test/api/fuzz.test.ts and test/ops/openapi.test.ts check them against live answers.
import type { ResourceDeclaration } from '../declarations/declaration'
import type { JsonSchema } from '../declarations/field-types'
import type { Settings } from '../domain'

export interface BehaviourContract {
  /** Properties every result of the resource carries (after the declared ones). */
  resultProperties: Record<string, JsonSchema>
  /** Properties only the create answer carries (an API key's one-time secret). */
  createdProperties: Record<string, JsonSchema>
  /** Body fields create requires although the declaration leaves them optional (or virtual). */
  requiredOnCreate: string[]
  /** Values a body field must take, when a behaviour checks them (`paymentMethod`). */
  fieldValues: Record<string, string[]>
  /** Rules a behaviour checks that no schema keyword states, for the operation descriptions. */
  rules: Partial<Record<'create' | 'patch', string[]>>
  /** Statuses a behaviour answers besides those the declaration implies (a provider's 502). */
  statuses: Partial<Record<'create' | 'patch', string[]>>
}

/**
 * One behaviour's part of the contract, given every declaration and, when a document is served, the
 * configuration (without it, say for the generated types, a part that depends on it is left out).
 */
export type ContractContribution = (
  all: ResourceDeclaration[],
  settings?: Settings
) => Partial<BehaviourContract>

/** Behaviour name -> its contribution (src/engine/domain.ts `contracts`). */
export type ContractRegistry = Record<string, ContractContribution>

export interface ContractSources {
  contracts?: ContractRegistry
  settings?: Settings
}

/** The merged contract of a resource's behaviours (empty for a resource without any). */
export const behaviourContract = (
  resource: ResourceDeclaration,
  all: ResourceDeclaration[],
  { contracts = {}, settings }: ContractSources = {}
): BehaviourContract => {
  const contract: BehaviourContract = {
    resultProperties: {},
    createdProperties: {},
    requiredOnCreate: [],
    fieldValues: {},
    rules: {},
    statuses: {}
  }
  for (const name of resource.behaviours ?? []) {
    const part = (Object.hasOwn(contracts, name) ? contracts[name](all, settings) : undefined) ?? {}
    Object.assign(contract.resultProperties, part.resultProperties)
    Object.assign(contract.createdProperties, part.createdProperties)
    Object.assign(contract.fieldValues, part.fieldValues)
    contract.requiredOnCreate.push(...(part.requiredOnCreate ?? []))
    for (const method of ['create', 'patch'] as const) {
      if (part.rules?.[method]) (contract.rules[method] ??= []).push(...part.rules[method])
      if (part.statuses?.[method]) (contract.statuses[method] ??= []).push(...part.statuses[method])
    }
  }
  return contract
}

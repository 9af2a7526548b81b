// One resource operation: summary, who may call it, parameters, body, responses and security.
import { PUBLIC, type MethodName, type ResourceDeclaration } from '../../declarations/declaration'
import type { JsonSchema } from '../../declarations/field-types'
import { isRead } from '../../vocabulary'
import { behaviourContract, type BehaviourContract, type ContractSources } from '../behaviour-contract'
import { resourceTypeNames, typeName } from '../typegen'
import { apiKeyNote, describeAccess, describeStates } from './access'
import { createdName, listName, pascal, recordWords, ref, response } from './names'
import {
  FILTER_RULE,
  SELECT_NOTE,
  findParameters,
  headerParameters,
  includeParameters,
  selectParameter
} from './parameters'
import { errorResponses } from './responses'

const SIGNED_IN = [{ bearerAuth: [] }, { apiKey: [] }]
/** `{}` first: a public method needs no credentials, but a token or key may widen what it returns. */
const securityOf = (resource: ResourceDeclaration, method: MethodName) =>
  resource.access[method][PUBLIC] ? [{}, ...SIGNED_IN] : SIGNED_IN

const article = (words: string) => `${/^[aeiou]/.test(words) ? 'an' : 'a'} ${words}`

const SUMMARIES: Record<MethodName, (words: string, resource: ResourceDeclaration) => string> = {
  find: (_, resource) => `List ${resource.name.replace(/-/g, ' ')}`,
  get: (words) => `Get one ${words}`,
  create: (words) => `Create ${article(words)}`,
  update: (words) => `Replace ${article(words)}`,
  patch: (words) => `Change ${article(words)}`,
  remove: (words, resource) => `Delete ${article(words)}${resource.softDelete ? ' (soft)' : ''}`
}

const operationId = (resource: ResourceDeclaration, method: MethodName) =>
  method === 'find' ? `find${pascal(resource.name)}` : `${method}${typeName(resource.name)}`

/** The description's paragraphs: who may call, the behaviours' rules, query rules, transitions, versions. */
const notesOf = (resource: ResourceDeclaration, method: MethodName, contract: BehaviourContract) => {
  const notes = [`${describeAccess(resource, method)} ${apiKeyNote(resource, method)}`]
  if (method === 'create' || method === 'patch') notes.push(...(contract.rules[method] ?? []))
  if (method === 'find' && resource.query.filter.length) notes.push(FILTER_RULE)
  if (isRead(method)) notes.push(SELECT_NOTE)
  if (method === 'patch') notes.push(...describeStates(resource))
  if (method === 'create' && resource.states) {
    const initial = resource.fields[resource.states.field].default
    notes.push(`A new record starts as \`${resource.states.field}\` \`${initial}\`.`)
  }
  if (method === 'patch' && resource.fields.version)
    notes.push(
      'Send the expected `version` in the body or as `If-Match` to change only that version (else 409).'
    )
  return notes
}

/** The 200 (or 201) answer: a page, a list, the record, or the record with what only create shows. */
const okResponse = (resource: ResourceDeclaration, method: MethodName, contract: BehaviourContract) => {
  const record = ref(resourceTypeNames(resource).result)
  if (method === 'find')
    return response(
      resource.query.paginate ? 'A page of the records you may see' : 'Every record you may see',
      resource.query.paginate ? ref(listName(resource)) : { type: 'array', items: record }
    )
  if (method === 'create' && Object.keys(contract.createdProperties).length)
    return response('The created record, with what only this answer shows', ref(createdName(resource)))
  return response(method === 'create' ? 'The created record' : 'The record', record)
}

const bodyName = (resource: ResourceDeclaration, method: MethodName) => {
  const names = resourceTypeNames(resource)
  return method === 'create' || method === 'update'
    ? names.data
    : method === 'patch'
      ? names.patch
      : undefined
}

/** The Operation Object of one offered method of a resource. */
export const operation = (
  resource: ResourceDeclaration,
  method: MethodName,
  query: JsonSchema,
  all: ResourceDeclaration[],
  sources: ContractSources
) => {
  const contract = behaviourContract(resource, all, sources)
  const body = bodyName(resource, method)
  const parameters = [
    ...(method === 'find'
      ? findParameters(resource, query)
      : method === 'get'
        ? [selectParameter(query), ...includeParameters(query)]
        : []),
    ...headerParameters(resource, method)
  ]
  return {
    tags: [resource.name],
    summary: SUMMARIES[method](recordWords(resource), resource),
    description: notesOf(resource, method, contract).join('\n\n'),
    operationId: operationId(resource, method),
    ...(parameters.length && { parameters }),
    ...(body && { requestBody: { required: true, content: { 'application/json': { schema: ref(body) } } } }),
    responses: {
      [method === 'create' ? '201' : '200']: okResponse(resource, method, contract),
      ...errorResponses(resource, method, all, contract)
    },
    security: securityOf(resource, method)
  }
}

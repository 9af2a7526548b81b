// Requests generated from /openapi.json: every path and method, with valid and hostile bodies, queries and ids.
import type { Random } from './fuzz-random'
import {
  HOSTILE_BODIES,
  PROTOTYPE_NAMES,
  hostileBody,
  validValue,
  type Schema,
  type ValueContext
} from './fuzz-values'

export interface FuzzRequest {
  /** The documented route (`/orders/{id}`) and method, to look the answer's schema up. */
  route: string
  method: string
  principal: string
  path: string
  query: string
  /** JSON text, or undefined for none. */
  body?: string
  contentType?: string
  kind: string
  /** The `$select[]` fields sent: records then hold only those and `id`. */
  select?: string[]
  /** The `$include[]` relations asked for: records then also hold those. */
  include?: string[]
  /** A webhook body sent with a valid `X-Signature` (the test knows the server's secret). */
  signed?: boolean
}

export interface Budget {
  valid: number
  /** Rounds through every kind of hostile body. */
  hostile: number
  queries: number
}

const HTTP = ['get', 'post', 'put', 'patch', 'delete'] as const

const encode = (name: string, value: unknown) =>
  `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`

/** `status[$in]` arrays as repeated parameters, as the REST transport reads them. */
const serialize = (values: [string, unknown][]) =>
  values
    .flatMap(([name, value]) =>
      Array.isArray(value) ? value.map((item) => encode(name, item)) : [encode(name, value)]
    )
    .join('&')

/** Hostile query strings: types, ranges, sizes, NUL, unknown and prototype keys, nesting, conflicting operators. */
const hostileQuery = (parameters: Schema[], random: Random) => {
  const names = parameters.map((parameter) => parameter.name as string)
  const some = names.length ? random.pick(names) : 'name'
  const field = some.replace(/\[.*$/, '')
  return random.pick([
    `${encodeURIComponent(some)}=abc`,
    `${encodeURIComponent(some)}=2147483648`,
    `${encodeURIComponent(some)}=-99999999999999999999`,
    `${encodeURIComponent(some)}=%00`,
    `${encodeURIComponent(some)}=a%00b`,
    `${encodeURIComponent(some)}=${'x'.repeat(8_000)}`,
    `zzUnknown=1`,
    `${random.pick(PROTOTYPE_NAMES)}=1`,
    `${random.pick(PROTOTYPE_NAMES)}[roles]=admin`,
    `${field}[__proto__][x]=1`,
    `${field}${'[a]'.repeat(40)}=1`,
    `${field}=a&${field}[$ne]=b`,
    `${field}[$in]=${Array.from({ length: 150 }, (_, i) => i).join(`&${field}[$in]=`)}`,
    `${field}[$regex]=.*`,
    `$or[0][${field}]=1`,
    `$limit=-1`,
    `$limit=1e400`,
    `$skip=99999999999999999999`,
    `$sort[${field}]=2`,
    `$select[]=${field}&$select[]=password`,
    `$select=%00`
  ])
}

const validQuery = (parameters: Schema[], context: ValueContext) => {
  const chosen = context.random.shuffle([...parameters]).slice(0, context.random.int(0, 3))
  const values = chosen.map((parameter): [string, unknown] => [
    parameter.name,
    validValue(parameter.schema, context)
  ])
  const select = values.find(([name]) => name === '$select[]')?.[1] as string[] | undefined
  const include = values.find(([name]) => name === '$include[]')?.[1] as string[] | undefined
  return { query: serialize(values), select: select?.length ? select : undefined, include }
}

export interface Fixtures {
  /** Ids by resource path that the fuzz test owns and may change or delete. */
  owned: Record<string, number[]>
}

const idsFor = (route: string, method: string, fixtures: Fixtures, random: Random) => {
  const resource = route.split('/')[1]
  const owned = fixtures.owned[resource] ?? []
  const strange = ['999999999', '0', '-1', 'abc', '1.5', '2147483648', '%00', random.pick(PROTOTYPE_NAMES)]
  // Changes and deletes touch only our own rows; reads may look at anything.
  if (method !== 'get')
    return owned.length && random.chance(0.6) ? String(random.pick(owned)) : random.pick(strange)
  return random.chance(0.5) ? String(random.int(1, 20)) : random.pick([...strange, ...owned.map(String)])
}

const requestBody = (operation: Schema) => operation.requestBody?.content?.['application/json']?.schema

/** The requests for one documented operation and one principal. */
const operationCases = (
  route: string,
  method: string,
  operation: Schema,
  principal: string,
  context: ValueContext & { fixtures: Fixtures; budget: Budget; pathParameters: Schema[] }
) => {
  const { random, budget } = context
  const parameters = [...(context.pathParameters ?? []), ...(operation.parameters ?? [])]
    .map((parameter: Schema) => (parameter.$ref ? { in: 'header' } : parameter))
    .filter((parameter: Schema) => parameter.in === 'query')
  const schema = requestBody(operation)
  const cases: FuzzRequest[] = []
  const add = (kind: string, extra: Partial<FuzzRequest>) => {
    const path = route.includes('{id}')
      ? route.replace(
          '{id}',
          encodeURIComponent(idsFor(route, method, context.fixtures, random)).replace(/%25/g, '%')
        )
      : route
    cases.push({ route, method, principal, path, query: '', kind, signed: random.chance(0.7), ...extra })
  }
  for (let i = 0; i < budget.valid; i++)
    add('valid', {
      ...(parameters.length && validQuery(parameters, context)),
      ...(schema && { body: JSON.stringify(validValue(schema, context)) })
    })
  if (schema) {
    // Every kind of hostile body, `hostile` times, on every body route and principal.
    const kinds = Array.from({ length: budget.hostile }, () => HOSTILE_BODIES).flat()
    for (const hostile of kinds) {
      const { kind, text } = hostileBody(validValue(schema, context), random, hostile)
      add(`body: ${kind}`, { body: text })
    }
    add('body: form-encoded', { body: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded' })
    add('body: text', { body: JSON.stringify(validValue(schema, context)), contentType: 'text/plain' })
    add('body: over 1 MB', { body: JSON.stringify({ name: 'x'.repeat(1_100_000) }) })
  }
  if (parameters.length || method === 'get')
    for (let i = 0; i < budget.queries; i++)
      add('query: hostile', { query: hostileQuery(parameters, random) })
  return cases
}

/** Every documented operation, for each principal; deletes and logouts last, so they do not empty the rest. */
export const fuzzCases = (
  document: Schema,
  principals: string[],
  context: ValueContext & { fixtures: Fixtures; budget: Budget }
): FuzzRequest[] => {
  const early: FuzzRequest[] = []
  const late: FuzzRequest[] = []
  for (const [route, item] of Object.entries<Schema>(document.paths)) {
    for (const method of HTTP) {
      if (!item[method]) continue
      for (const principal of principals) {
        const cases = operationCases(route, method, item[method], principal, {
          ...context,
          pathParameters: item.parameters ?? []
        })
        ;(method === 'delete' ? late : early).push(...cases)
      }
    }
  }
  return [...context.random.shuffle(early), ...context.random.shuffle(late)]
}

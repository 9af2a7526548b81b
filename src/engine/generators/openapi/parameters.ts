// Query and header parameters of a resource's operations, from its compiled query schema.
import type { MethodName, ResourceDeclaration } from '../../declarations/declaration'
import type { JsonSchema } from '../../declarations/field-types'
import { isMutation } from '../../vocabulary'

const OPERATORS: Record<string, string> = {
  $ne: 'not equal to',
  $lt: 'less than',
  $lte: 'at most',
  $gt: 'greater than',
  $gte: 'at least',
  $in: 'one of (repeat the parameter)',
  $nin: 'none of (repeat the parameter)',
  $ilike: 'case-insensitive pattern: % any characters, _ one character'
}

export const FILTER_RULE =
  'A filter field is compared either by equality (`status=paid`) or by operators (`status[$ne]=paid`, ' +
  'combinable with each other), never both in one query (400). `$in`/`$nin` take at most 100 values; ' +
  'unknown fields and operators are a 400.'
export const SELECT_NOTE =
  'With `$select[]`, each record holds only the selected fields and `id` (the generated types make it a `Pick`).'

const queryParameter = (name: string, schema: JsonSchema, description: string) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
  // `status[$in]=a&status[$in]=b`: the bracket style the REST transport's query parser reads.
  ...(schema.type === 'array' && { style: 'form', explode: true })
})

const filterParameters = (resource: ResourceDeclaration, query: JsonSchema) => {
  const properties = (query.properties ?? {}) as Record<string, JsonSchema>
  return resource.query.filter.flatMap((name) => {
    const schema = properties[name]
    const [value, operators] = Array.isArray(schema.anyOf)
      ? (schema.anyOf as JsonSchema[])
      : [schema, undefined]
    const byOperator = Object.entries((operators?.properties ?? {}) as Record<string, JsonSchema>)
    return [
      queryParameter(name, value, `${name} equals`),
      ...byOperator.map(([operator, operand]) =>
        queryParameter(`${name}[${operator}]`, operand, `${name} ${OPERATORS[operator] ?? operator}`)
      )
    ]
  })
}

export const findParameters = (resource: ResourceDeclaration, query: JsonSchema) => {
  const paginate = resource.query.paginate
  return [
    ...filterParameters(resource, query),
    queryParameter(
      '$limit',
      { type: 'integer', minimum: 0, ...(paginate && { default: paginate.default }) },
      paginate
        ? `Page size: default ${paginate.default}, larger values are clamped to ${paginate.max}; 0 returns only \`total\``
        : 'At most this many records'
    ),
    queryParameter('$skip', { type: 'integer', minimum: 0, default: 0 }, 'Skip this many records'),
    ...resource.query.sort.map((name) =>
      queryParameter(
        `$sort[${name}]`,
        { type: 'integer', enum: [1, -1] },
        `Sort by ${name}: 1 ascending, -1 descending`
      )
    ),
    selectParameter(query),
    ...includeParameters(query)
  ]
}

/** `$include[]=items`: declared relations (src/engine/pipeline/include-relations.ts); none, no parameter. */
export const includeParameters = (query: JsonSchema) => {
  const include = (query.properties as Record<string, JsonSchema>).$include
  return include
    ? [
        queryParameter(
          '$include[]',
          include,
          'Include these related records (also `$include=a,b`); each only if you may get it yourself'
        )
      ]
    : []
}

export const selectParameter = (query: JsonSchema) =>
  queryParameter(
    '$select[]',
    (query.properties as Record<string, JsonSchema>).$select,
    'Return only these fields (and `id`); the record then holds only those'
  )

export const headerParameters = (resource: ResourceDeclaration, method: MethodName) => [
  ...(resource.idempotent && isMutation(method) ? [{ $ref: '#/components/parameters/IdempotencyKey' }] : []),
  ...(method === 'patch' && resource.fields.version ? [{ $ref: '#/components/parameters/IfMatch' }] : [])
]

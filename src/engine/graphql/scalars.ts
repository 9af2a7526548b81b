import { GraphQLError, GraphQLScalarType, Kind, valueFromASTUntyped } from 'graphql'

/** `json` fields: any JSON value; the declaration's JSON schema is checked by the service, as over REST. */
export const JsonScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value; validated against the field’s declared schema by the service.',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables)
})

const isoString = (value: unknown) => (value instanceof Date ? value.toISOString() : value)

/** Date-times as ISO 8601 strings (UTC, milliseconds), as in REST; the service checks the format on input. */
export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: 'An ISO 8601 date-time string, e.g. 2026-12-01T09:30:00.000Z.',
  serialize: isoString,
  parseValue: (value) => {
    if (typeof value !== 'string') throw new GraphQLError('DateTime must be an ISO 8601 string')
    return value
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be an ISO 8601 string')
    return ast.value
  }
})

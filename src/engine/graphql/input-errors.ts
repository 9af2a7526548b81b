import { GraphQLError, isEnumType, isInputObjectType, type ASTNode, type GraphQLNamedType } from 'graphql'

// GraphQL refuses a value of the wrong type, or a missing non-null field, before any service runs: in the
// document (literal-errors.ts, a validation rule) or in the variables (variable-errors.ts, coercion). These errors are answered as the service's own
// validation errors are: BAD_USER_INPUT with `extensions.errors: [{field, message}]`, the field named as REST
// names it (relative to `data`: `priceCents`, `shippingAddress.city`, `items.0.quantity`).

export interface FieldError {
  field: string
  message: string
}

const WORDS: Record<string, string> = {
  Int: 'an integer (32-bit)',
  Float: 'a number',
  String: 'a string',
  Boolean: 'true or false',
  DateTime: 'an ISO 8601 date-time',
  JSON: 'a JSON value'
}

/** `must be an integer (32-bit)`, `must be one of USD, EUR, KRW`, `must be an object`. */
export const mustBe = (type: GraphQLNamedType | undefined | null, name?: string) => {
  if (type && isEnumType(type))
    return `must be one of ${type
      .getValues()
      .map(({ name }) => name)
      .join(', ')}`
  if (type && isInputObjectType(type)) return 'must be an object'
  const typeName = type?.name ?? name
  return typeName ? `must be ${WORDS[typeName] ?? typeName}` : 'is invalid'
}

/** One BAD_USER_INPUT error naming the fields, in the message as REST words it (`Invalid data: name is required`). */
export const inputError = (scope: string, errors: FieldError[], nodes?: readonly ASTNode[]) =>
  new GraphQLError(
    `Invalid ${scope}: ${errors.map((error) => `${error.field} ${error.message}`).join('; ')}`,
    {
      nodes,
      extensions: { code: 'BAD_USER_INPUT', status: 400, errors }
    }
  )

/** The `data` argument (or a variable holding a whole input type) is named as REST names the body: from within. */
export const named = (path: string[], relative: boolean) =>
  relative && path.length > 1
    ? { scope: 'data', field: path.slice(1).join('.') }
    : { scope: relative ? 'data' : 'argument', field: path.join('.') || '(value)' }

/** graphql-js's words for an input field it does not know (a literal's or a variable's). */
export const UNKNOWN = /^Field "([^"]+)" is not defined by type /

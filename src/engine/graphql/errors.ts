import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql'
import { variableInputError } from './variable-errors'

/** HTTP status of a service error -> the `extensions.code` clients branch on (docs/graphql.md#errors). */
const CODES: Record<number, string> = {
  400: 'BAD_USER_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'FORBIDDEN',
  409: 'CONFLICT',
  413: 'BAD_USER_INPUT',
  422: 'BAD_USER_INPUT',
  429: 'TOO_MANY_REQUESTS',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  507: 'SERVICE_UNAVAILABLE'
}

/** A Feathers error (the services' answers, already free of SQL and stacks: src/engine/pipeline/map-errors.ts). */
const isServiceError = (
  error: unknown
): error is { code: number; message: string; data?: unknown; errors?: unknown } =>
  typeof (error as any)?.code === 'number' && typeof (error as any)?.className === 'string'

// graphql-js suggests names close to a mistyped one; the schema holds no hidden field, but say nothing anyway.
const withoutSuggestions = (message: string) => message.replace(/ ?Did you mean .*$/s, '')

export const codeOf = (status: number) =>
  CODES[status] ?? (status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST')

/**
 * The GraphQL spec's error shape with `extensions.code`: a service error keeps its message and the `data` REST
 * sends (the field errors, the allowed transitions) and its status; the request's own errors (syntax, unknown
 * fields, variables, limits) are BAD_REQUEST-like codes; anything else is an internal error, logged, never shown.
 * A variable of the wrong shape is a BAD_USER_INPUT naming the field (`schema` words an enum's values).
 */
export const formatGraphqlError =
  (logInternal: (error: unknown) => void, schema?: GraphQLSchema) =>
  (error: GraphQLError | Error): GraphQLFormattedError => {
    if (!(error instanceof GraphQLError)) {
      // graphql-http's own request errors (a missing query, a bad variables string): safe messages.
      return { message: withoutSuggestions(error.message), extensions: { code: 'BAD_REQUEST', status: 400 } }
    }
    const { message, locations, path, originalError, extensions } = error
    const where = { ...(locations && { locations }), ...(path && { path }) }
    if (isServiceError(originalError)) {
      const data = originalError.data && typeof originalError.data === 'object' ? originalError.data : {}
      const status = originalError.code
      if (status >= 500) logInternal(originalError)
      return {
        message: originalError.message,
        ...where,
        // Feathers keeps `errors` (the field errors) beside `data`; REST sends both.
        extensions: {
          ...data,
          ...(originalError.errors !== undefined && { errors: originalError.errors }),
          code: codeOf(status),
          status
        }
      }
    }
    if (originalError && !(originalError instanceof GraphQLError)) {
      logInternal(originalError)
      return {
        message: 'Internal server error',
        ...where,
        extensions: { code: 'INTERNAL_SERVER_ERROR', status: 500 }
      }
    }
    const variable =
      !extensions?.code && message.startsWith('Variable "') && variableInputError(error, schema)
    if (variable) return { message: variable.message, ...where, extensions: variable.extensions }
    const code =
      (extensions?.code as string | undefined) ??
      (message.startsWith('Syntax Error')
        ? 'GRAPHQL_PARSE_FAILED'
        : path || message.startsWith('Variable "')
          ? 'BAD_USER_INPUT'
          : 'GRAPHQL_VALIDATION_FAILED')
    return { message: withoutSuggestions(message), ...where, extensions: { ...extensions, code } }
  }

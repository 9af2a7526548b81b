import {
  GraphQLError,
  Kind,
  ValuesOfCorrectTypeRule,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  type ASTNode,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type ValidationContext,
  type ValidationRule
} from 'graphql'

// GraphQL refuses a value of the wrong type, or a missing non-null field, before any service runs: in the
// document (a validation rule) or in the variables (coercion). These errors are answered as the service's own
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
const mustBe = (type: GraphQLNamedType | undefined | null, name?: string) => {
  if (type && isEnumType(type))
    return `must be one of ${type
      .getValues()
      .map((value) => value.name)
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
const named = (path: string[], relative: boolean) =>
  relative && path.length > 1
    ? { scope: 'data', field: path.slice(1).join('.') }
    : { scope: relative ? 'data' : 'argument', field: path.join('.') || '(value)' }

/** The argument, object fields and list indexes from the document to the node being visited. */
const documentPath = (ancestors: readonly unknown[], keys: readonly (string | number)[]) => {
  let node: any = ancestors[0]
  const names: string[] = []
  let previous: string | number | undefined
  for (const key of keys) {
    node = node?.[key]
    if (node?.kind === Kind.ARGUMENT || node?.kind === Kind.OBJECT_FIELD) names.push(node.name.value)
    else if (typeof key === 'number' && previous === 'values') names.push(String(key))
    previous = key
  }
  return names
}

const MISSING_LITERAL = /^Field "[^"]*\.([^".]+)" of required type "[^"]+" was not provided\.$/
const UNKNOWN = /^Field "([^"]+)" is not defined by type /
const NULL_LITERAL = /^Expected value of type "[^"]+!", found null\.$/

/** What graphql-js said about a literal, as a field error (the path ends at the value it checked). */
const literalError = (error: GraphQLError, path: string[], type: GraphQLInputType | null | undefined) => {
  const missing = MISSING_LITERAL.exec(error.message)
  if (missing) return { path: [...path, missing[1]], message: 'is required' }
  if (UNKNOWN.test(error.message)) return { path, message: 'is not a known field' }
  if (NULL_LITERAL.test(error.message)) return { path, message: 'must not be null' }
  const expected = type && isListType(type) ? 'must be a list' : mustBe(type ? getNamedType(type) : undefined)
  return { path, message: expected }
}

/**
 * graphql-js's ValuesOfCorrectTypeRule, with each error naming its field: use it instead of that rule
 * (`withNamedValueErrors`). Its checks are graphql-js's own; only what it reports is reworded.
 */
export const namedValueErrors: ValidationRule = (context) => {
  let path: string[] = []
  const reporter = Object.create(context) as ValidationContext
  reporter.reportError = (error: GraphQLError) => {
    const found = literalError(error, path, context.getInputType())
    const { scope, field } = named(found.path, found.path[0] === 'data')
    context.reportError(inputError(scope, [{ field, message: found.message }], error.nodes))
  }
  const inner = ValuesOfCorrectTypeRule(reporter) as Record<string, (node: any) => unknown>
  return Object.fromEntries(
    Object.entries(inner).map(([kind, check]) => [
      kind,
      (
        node: any,
        key: unknown,
        parent: unknown,
        keys: readonly (string | number)[],
        ancestors: unknown[]
      ) => {
        path = documentPath(ancestors, keys)
        return check(node)
      }
    ])
  )
}

/** The specified rules with ValuesOfCorrectTypeRule replaced by `namedValueErrors`. */
export const withNamedValueErrors = (rules: readonly ValidationRule[]) =>
  rules.map((rule) => (rule === ValuesOfCorrectTypeRule ? namedValueErrors : rule))

const NOT_PROVIDED = /^Variable "\$(\w+)" of required type "[^"]+" was not provided\.$/
const NULL_VARIABLE = /^Variable "\$(\w+)" of non-null type "[^"]+" must not be null\.$/
const INVALID_VARIABLE = /^Variable "\$(\w+)" got invalid value /s
const AT = / at "([^"]*)"$/
const MISSING_FIELD = /^Field "([^"]+)" of required type "[^"]+" was not provided\.$/
const TYPE_NAMED = [
  /^(\w+) cannot represent/,
  /^Enum "(\w+)" cannot represent/,
  /^Expected type "(\w+)"/,
  /does not exist in "(\w+)" enum/
]

/** `data.items[0].quantity` -> ['data', 'items', '0', 'quantity']. */
const variablePath = (printed: string) => printed.replace(/\[(\d+)\]/g, '.$1').split('.')

/** What coercing a variable's inner value said, as a field message (and a field to add to the path). */
const coercionMessage = (message: string, schema?: GraphQLSchema) => {
  const missing = MISSING_FIELD.exec(message)
  if (missing) return { add: [missing[1]], message: 'is required' }
  const unknown = UNKNOWN.exec(message)
  if (unknown) return { add: [unknown[1]], message: 'is not a known field' }
  if (message.startsWith('Expected non-nullable type')) return { add: [], message: 'must not be null' }
  if (/^Expected type "[^"]+" to be an object\./.test(message))
    return { add: [], message: 'must be an object' }
  const typeName = TYPE_NAMED.map((pattern) => pattern.exec(message)?.[1]).find(Boolean)
  return { add: [], message: typeName ? mustBe(schema?.getType(typeName), typeName) : 'is invalid' }
}

/** Whether the variable holds a whole mutation input (`$data: ProductCreateInput!`): named from within. */
const holdsInput = (error: GraphQLError) => {
  const definition: any = error.nodes?.[0]
  let type = definition?.kind === Kind.VARIABLE_DEFINITION ? definition.type : undefined
  while (type && type.kind !== Kind.NAMED_TYPE) type = type.type
  return typeof type?.name?.value === 'string' && /Input$/.test(type.name.value)
}

/**
 * A variable GraphQL refused (missing, null where non-null, or a value of the wrong shape) as a BAD_USER_INPUT
 * naming the field; graphql-js's message would echo the whole value sent (a password with it).
 */
export const variableInputError = (error: GraphQLError, schema?: GraphQLSchema) => {
  const simple = NOT_PROVIDED.exec(error.message) ?? NULL_VARIABLE.exec(error.message)
  if (simple) {
    const message = NOT_PROVIDED.test(error.message) ? 'is required' : 'must not be null'
    const { scope, field } = named([simple[1]], holdsInput(error))
    return inputError(scope, [{ field, message }], error.nodes)
  }
  const variable = INVALID_VARIABLE.exec(error.message)
  const inner = error.originalError?.message
  if (!variable || !inner || !error.message.endsWith(`; ${inner}`)) return undefined
  const prefix = error.message.slice(0, -(inner.length + 2))
  const at = AT.exec(prefix)
  const { add, message } = coercionMessage(inner, schema)
  const { scope, field } = named([...(at ? variablePath(at[1]) : [variable[1]]), ...add], holdsInput(error))
  return inputError(scope, [{ field, message }], error.nodes)
}

import { Kind, type GraphQLError, type GraphQLSchema } from 'graphql'
import { UNKNOWN, inputError, mustBe, named } from './input-errors'

// Variables: graphql-js coerces them before the operation runs, and says what it refused only in its message.

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

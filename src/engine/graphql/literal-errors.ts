import {
  Kind,
  ValuesOfCorrectTypeRule,
  getNamedType,
  isListType,
  type GraphQLError,
  type GraphQLInputType,
  type ValidationContext,
  type ValidationRule
} from 'graphql'
import { UNKNOWN, inputError, mustBe, named } from './input-errors'

// Values written in the document: graphql-js's rule checks them; this names the field of each error.

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

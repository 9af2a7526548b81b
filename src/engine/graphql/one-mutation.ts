import { GraphQLError, type ValidationRule } from 'graphql'

/**
 * With an `Idempotency-Key`, a request holds exactly one mutation field: the key stands for one write, and
 * a second write under it would be answered as a different request reusing the key.
 */
export const oneMutationPerKey: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (node.operation !== 'mutation' || node.selectionSet.selections.length <= 1) return
    context.reportError(
      new GraphQLError('An Idempotency-Key covers one mutation: send one mutation field per request', {
        nodes: [node],
        extensions: { code: 'BAD_USER_INPUT', field: 'Idempotency-Key' }
      })
    )
  }
})

import {
  GraphQLError,
  Kind,
  getNamedType,
  isObjectType,
  type GraphQLNamedType,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule
} from 'graphql'

export interface OperationLimits {
  maxDepth: number
  maxCost: number
}

interface Measure {
  depth: number
  cost: number
}

/** A literal `limit: n` within the declared cap, else the cap (the list's `listSize`, set by the generator). */
const listSize = (field: any, node: any): number => {
  const cap: number | undefined = field?.extensions?.listSize
  if (cap === undefined) return 1
  const limit = node.arguments?.find((arg: any) => arg.name.value === 'limit')?.value
  return limit?.kind === Kind.INT ? Math.max(1, Math.min(Number(limit.value), cap)) : cap
}

/**
 * Depth and cost of a selection: each field costs 1, times the records its enclosing lists may hold (a page's
 * `limit`, a hasMany relation's estimate). Fragments are followed; a fragment cycle is the spec's own error.
 */
const measure = (
  context: ValidationContext,
  selectionSet: SelectionSetNode,
  parent: GraphQLNamedType,
  seen: Set<string>
): Measure => {
  let depth = 0
  let cost = 0
  for (const selection of selectionSet.selections) {
    let inner: Measure = { depth: 0, cost: 0 }
    if (selection.kind === Kind.FIELD) {
      const field = isObjectType(parent) ? parent.getFields()[selection.name.value] : undefined
      const child =
        selection.selectionSet && field
          ? measure(context, selection.selectionSet, getNamedType(field.type), seen)
          : { depth: 0, cost: 0 }
      inner = { depth: child.depth + 1, cost: 1 + listSize(field, selection) * child.cost }
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition
        ? context.getSchema().getType(selection.typeCondition.name.value)
        : parent
      inner = measure(context, selection.selectionSet, type ?? parent, seen)
    } else {
      const fragment = context.getFragment(selection.name.value)
      if (!fragment || seen.has(fragment.name.value)) continue
      const type = context.getSchema().getType(fragment.typeCondition.name.value) ?? parent
      inner = measure(context, fragment.selectionSet, type, new Set([...seen, fragment.name.value]))
    }
    depth = Math.max(depth, inner.depth)
    cost += inner.cost
  }
  return { depth, cost }
}

/** Refuses an operation nested deeper than `maxDepth` or costing more than `maxCost`, before anything runs. */
export const operationLimits =
  ({ maxDepth, maxCost }: OperationLimits): ValidationRule =>
  (context) => ({
    OperationDefinition(node) {
      const root = context.getSchema().getRootType(node.operation)
      if (!root) return
      const { depth, cost } = measure(context, node.selectionSet, root, new Set())
      if (depth > maxDepth)
        context.reportError(
          new GraphQLError(`The operation is ${depth} levels deep; at most ${maxDepth} are allowed`, {
            nodes: [node],
            extensions: { code: 'QUERY_TOO_DEEP', depth, maxDepth }
          })
        )
      if (cost > maxCost)
        context.reportError(
          new GraphQLError(`The operation's estimated cost is ${cost}; at most ${maxCost} is allowed`, {
            nodes: [node],
            extensions: { code: 'QUERY_TOO_COSTLY', cost, maxCost }
          })
        )
    }
  })

import type { ResourceDeclaration } from '../declarations/declaration'
import { typeName } from '../generators/type-names'

/** The GraphQL names of one resource: its record type and its operations. */
export interface GraphqlNames {
  type: string
  /** `product(id)` */
  single: string
  /** `products(where, orderBy, limit, offset)` */
  plural: string
}

const lowerFirst = (word: string) => word[0].toLowerCase() + word.slice(1)
const camel = (name: string) =>
  lowerFirst(
    name
      .split(/[-_]/)
      .filter(Boolean)
      .map((word) => word[0].toUpperCase() + word.slice(1))
      .join('')
  )

/**
 * products -> Product, product, products; order-items -> OrderItem, orderItem, orderItems. A name whose singular
 * is itself (inventory, audit-log) gets `List` on its page query (`inventoryList`), so the two never clash.
 * `graphql: { type, plural }` in the declaration overrides either; the single query follows the type.
 */
export const graphqlNames = (resource: ResourceDeclaration): GraphqlNames => {
  const type = resource.graphql?.type ?? typeName(resource.name)
  const single = lowerFirst(type)
  const derived = camel(resource.name)
  const plural = resource.graphql?.plural ?? (derived === single ? `${single}List` : derived)
  return { type, single, plural }
}

export const capitalize = (word: string) => word[0].toUpperCase() + word.slice(1)

/** Enum values and field names must be GraphQL names; anything else stays a String. */
export const isGraphqlName = (value: string) => /^[_A-Za-z][_0-9A-Za-z]*$/.test(value)

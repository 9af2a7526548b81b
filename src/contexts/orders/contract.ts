// What the orders context's behaviours add to the contract (src/engine/generators/behaviour-contract.ts).
import type { ContractRegistry } from '../../engine/generators/behaviour-contract'
import type { ResourceDeclaration } from '../../engine/declarations/declaration'
import type { JsonSchema } from '../../engine/declarations/field-types'
import { resultSchema } from '../../engine/runtime/schemas'

/** An order line as `items` shows it: an order-items row without `orderId` and `createdAt`. */
const orderLine = (all: ResourceDeclaration[]): JsonSchema => {
  const lines = all.find((resource) => resource.name === 'order-items')
  if (!lines) return { type: 'object' }
  const schema = JSON.parse(JSON.stringify(resultSchema(lines))) as JsonSchema
  const properties = schema.properties as Record<string, JsonSchema>
  delete properties.orderId
  delete properties.createdAt
  const { $id: _id, ...rest } = schema
  return {
    ...rest,
    required: (schema.required as string[]).filter((name) => name in properties),
    description: 'A line of the order, priced when it was ordered'
  }
}

export const ordersContracts: ContractRegistry = {
  // src/contexts/orders/order-lifecycle.ts
  orderLifecycle: (all) => ({
    resultProperties: {
      items: { type: 'array', items: orderLine(all), description: "The order's lines, by line id" }
    },
    requiredOnCreate: ['items'],
    rules: {
      create: [
        'Every `items[].productId` must be an active product, and all in one currency (else 400 naming it); ' +
          'the same product twice counts once with the quantities added. Prices and totals are set by the server.'
      ],
      patch: [
        '`status` changes alone (no other field in the same request). `items`, `note` and `shippingAddress` ' +
          'change only while the order is `pending` (else 409), and `items` not while a payment is in progress.'
      ]
    }
  })
}

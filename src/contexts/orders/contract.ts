// What the orders context's behaviours add to the contract (src/engine/generators/behaviour-contract.ts).
import type { ContractRegistry } from '../../engine/generators/behaviour-contract'
import type { ResourceDeclaration } from '../../engine/declarations/declaration'
import type { JsonSchema } from '../../engine/declarations/field-types'
import { resultSchema } from '../../engine/runtime/schemas'

/**
 * An order line as `items` shows it: the fields the `items` relation declares (order-items `reverse`) and the
 * line's id, from the order-items record schema.
 */
const orderLine = (all: ResourceDeclaration[]): JsonSchema => {
  const orders = all.find((resource) => resource.name === 'orders')
  const relation = orders?.relations?.items
  const lines = all.find((resource) => resource.name === relation?.resource)
  if (!relation || !lines) return { type: 'object' }
  const schema = JSON.parse(JSON.stringify(resultSchema(lines))) as JsonSchema
  const kept = ['id', ...(relation.fields ?? Object.keys(schema.properties as object))]
  const properties = Object.fromEntries(
    Object.entries(schema.properties as Record<string, JsonSchema>).filter(([name]) => kept.includes(name))
  )
  const { $id: _id, ...rest } = schema
  return {
    ...rest,
    properties,
    required: (schema.required as string[]).filter((name) => name in properties),
    description: 'A line of the order, priced when it was ordered'
  }
}

export const ordersContracts: ContractRegistry = {
  // src/contexts/orders/order-lifecycle.ts
  orderLifecycle: (all) => ({
    resultProperties: {
      items: {
        type: 'array',
        items: orderLine(all),
        description:
          "The order's lines, by line id (the `items` relation, included unless `$include=` asks for none)"
      }
    },
    requiredOnCreate: ['items'],
    rules: {
      create: [
        'Every `items[].productId` must be an active product, and all in one currency (else 400 naming it); ' +
          'the same product twice counts once with the quantities added. Prices and totals are set by the server.'
      ],
      patch: [
        '`status` changes alone (no other field in the same request). `items`, `note` and `shippingAddress` ' +
          'change only while the order is `pending` (else 409), and `items` not while a payment is in progress.',
        'Cancelling sets `cancelReason`: `customer` when the owner cancels, `admin` when staff do; an order ' +
          'left unpaid longer than `ORDER_PENDING_TTL` is cancelled by the server with `expired`.'
      ]
    }
  })
}

// What behaviours (src/contexts/) add to a resource's contract beyond its declaration: properties they put
// into results, fields they require, values they accept. The engine stays free of server code, so this is a
// table by behaviour name; test/api/fuzz.test.ts and test/ops/openapi.test.ts check it against live answers.
import type { ResourceDeclaration } from '../declarations/declaration'
import type { JsonSchema } from '../declarations/field-types'
import { resultSchema } from '../runtime/schemas'

export interface BehaviourContract {
  /** Properties every result of the resource carries (after the declared ones). */
  resultProperties: Record<string, JsonSchema>
  /** Properties only the create answer carries (an API key's one-time secret). */
  createdProperties: Record<string, JsonSchema>
  /** Body fields create requires although the declaration leaves them optional (or virtual). */
  requiredOnCreate: string[]
  /** Values a body field must take, when a behaviour checks them (`paymentMethod`). */
  fieldValues: Record<string, string[]>
  /** Rules a behaviour checks that no schema keyword states, for the operation descriptions. */
  rules: Partial<Record<'create' | 'patch', string[]>>
  /** Statuses a behaviour answers besides those the declaration implies (a provider's 502). */
  statuses: Partial<Record<'create' | 'patch', string[]>>
}

export interface ContractOptions {
  /** The payment methods the configured provider accepts (src/contexts/payments/provider.ts `acceptedMethods`). */
  paymentMethods?: readonly string[]
}

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

type Contribution = (all: ResourceDeclaration[], options: ContractOptions) => Partial<BehaviourContract>

const CONTRIBUTIONS: Record<string, Contribution> = {
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
  }),
  issueApiKey: () => ({
    createdProperties: {
      key: {
        type: 'string',
        pattern: '^iak_',
        description: 'The secret to send as `X-API-Key`: shown in this answer only, never again'
      }
    },
    rules: {
      create: [
        '`scopes[].resource` must name a declared resource other than api-keys, sessions, audit-log, ' +
          'idempotency-keys and payment-events; `users` only with `find`/`get` or `readOnly` (else 400).'
      ]
    }
  }),
  paymentProcessing: (_, options) => ({
    statuses: { create: ['404', '409', '502'] },
    ...(options.paymentMethods?.length && { fieldValues: { paymentMethod: [...options.paymentMethods] } }),
    rules: {
      create: [
        'Pays the whole total of a `pending` order you may see (else 404, or 409 when it is not pending, has ' +
          'nothing to pay, or already has a pending or captured payment).'
      ]
    }
  }),
  refundProcessing: () => ({
    statuses: { create: ['409', '502'] },
    rules: {
      create: [
        'The payment must be `captured` and `amountCents` at most what it has left to refund (else 409).'
      ]
    }
  }),
  inventoryLedger: () => ({
    statuses: { create: ['409'] },
    rules: {
      create: [
        '`receive` needs a positive `quantity`; `adjust` a non-zero `quantity` and a `reason` (else 400). ' +
          'Stock never goes below zero (409).'
      ]
    }
  }),
  userAccount: () => ({
    // A wrong currentPassword counts toward the account's login limit (src/contexts/identity/user-account.ts).
    statuses: { patch: ['429'] },
    rules: {
      create: ['`password` must not be the email address (400).'],
      patch: [
        'Changing your own `email` or `password` needs `currentPassword` (400 without it or when wrong; wrong ' +
          'ones count toward the login limit, 429); a new password ends your other sessions and must not be the ' +
          'email address.'
      ]
    }
  })
}

/** The merged contract of a resource's behaviours (empty for a resource without any). */
export const behaviourContract = (
  resource: ResourceDeclaration,
  all: ResourceDeclaration[],
  options: ContractOptions = {}
): BehaviourContract => {
  const contract: BehaviourContract = {
    resultProperties: {},
    createdProperties: {},
    requiredOnCreate: [],
    fieldValues: {},
    rules: {},
    statuses: {}
  }
  for (const name of resource.behaviours ?? []) {
    const part = CONTRIBUTIONS[name]?.(all, options) ?? {}
    Object.assign(contract.resultProperties, part.resultProperties)
    Object.assign(contract.createdProperties, part.createdProperties)
    Object.assign(contract.fieldValues, part.fieldValues)
    contract.requiredOnCreate.push(...(part.requiredOnCreate ?? []))
    for (const method of ['create', 'patch'] as const) {
      if (part.rules?.[method]) (contract.rules[method] ??= []).push(...part.rules[method])
      if (part.statuses?.[method]) (contract.statuses[method] ??= []).push(...part.statuses[method])
    }
  }
  return contract
}

// What the payments context's behaviours add to the contract (src/engine/generators/behaviour-contract.ts).
import type { ContractRegistry } from '../../engine/generators/behaviour-contract'
import type { Settings } from '../../engine/domain'
import { acceptedMethods } from './accepted-methods'

export const paymentsContracts: ContractRegistry = {
  // src/contexts/payments/payment-processing.ts
  paymentProcessing: (_, settings?: Settings) => {
    const methods = settings ? acceptedMethods(settings) : []
    return {
      statuses: { create: ['404', '409'] },
      ...(methods.length && { fieldValues: { paymentMethod: methods } }),
      rules: {
        create: [
          'Pays the whole total of a `pending` order you may see (else 404, or 409 when it is not pending, has ' +
            'nothing to pay, or already has a pending or captured payment).',
          'The payment is recorded `pending` and committed before the provider is asked; the answer is the payment ' +
            'as the provider left it: `captured`, `failed`, or still `pending` when it did not answer in time ' +
            '(a webhook or the reconciler settles it).'
        ]
      }
    }
  },
  // src/contexts/payments/refund-processing.ts
  refundProcessing: () => ({
    statuses: { create: ['409'] },
    rules: {
      create: [
        'The payment must be `captured` and `amountCents` at most what it has left to refund, refunds still ' +
          'pending included (else 409).',
        'The refund is recorded `pending` and committed before the provider is asked; the answer is the refund as ' +
          'the provider left it: `succeeded`, `failed`, or still `pending` (the reconciler settles it).'
      ]
    }
  })
}

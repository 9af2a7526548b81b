// What the payments context's behaviours add to the contract (src/engine/generators/behaviour-contract.ts).
import type { ContractRegistry } from '../../engine/generators/behaviour-contract'
import type { Settings } from '../../engine/domain'
import { acceptedMethods, enabledProviderFacts } from './accepted-methods'

/** The enabled providers in a sentence, for the OpenAPI rules of POST /payments. */
const providersRule = (settings: Settings) =>
  'Enabled providers (the first accepting the method and the order currency takes the payment): ' +
  enabledProviderFacts(settings)
    .map(
      ({ name, methods, methodsHint, currencies }) =>
        `${name} (${methods ? methods.join(', ') : methodsHint}; ${currencies.join(', ')})`
    )
    .join('; ') +
  '.'

export const paymentsContracts: ContractRegistry = {
  // src/contexts/payments/payment-processing.ts
  paymentProcessing: (_, settings?: Settings) => {
    const methods = settings ? acceptedMethods(settings) : []
    return {
      statuses: { create: ['402', '404', '409', '422', '503'] },
      ...(methods.length && { fieldValues: { paymentMethod: methods } }),
      rules: {
        create: [
          'Pays the whole total of a `pending` order you may see (else 404, or 409 when it is not pending, has ' +
            'nothing to pay, or already has a pending or captured payment).',
          'The payment is recorded `pending` and committed before the provider is asked; the answer is the payment ' +
            'as the provider left it: `captured`, `failed`, or still `pending` when it did not answer in time ' +
            '(a webhook or the reconciler settles it).',
          'Errors after the commit name the payment (`data.paymentId`): 402 when the card was declined ' +
            '(`data.declineCode`), 400 naming `paymentMethod` when the provider does not know it, 422 for another ' +
            'refusal (`data.code`), 503 with `Retry-After` when the provider is unavailable (the payment stays ' +
            '`pending`; the reconciler settles it). A pending Stripe payment carries `clientSecret` and ' +
            '`nextAction` for Stripe.js.',
          ...(settings ? [providersRule(settings)] : [])
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

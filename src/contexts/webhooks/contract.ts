// What the webhooks context's behaviours add to the contract (src/engine/generators/behaviour-contract.ts).
import type { ContractRegistry } from '../../engine/generators/behaviour-contract'

const targetRules = [
  '`url` must be an http or https URL without credentials; a private, loopback, link-local or metadata address ' +
    '(and `localhost`) is refused unless `WEBHOOK_ALLOW_PRIVATE_TARGETS=true` (400).',
  '`events` are `*`, `<resource>.*` or `<resource>.<type>` naming a resource that publishes events and a type it ' +
    'emits (`created`, `patched`, `updated`, `removed` or a declared transition’s target state) (400 naming `events.<n>`).'
]

export const webhooksContracts: ContractRegistry = {
  // src/contexts/webhooks/subscription-rules.ts
  webhookSubscriptionRules: () => ({
    createdProperties: {
      secret: {
        type: 'string',
        pattern: '^whsec_',
        description:
          'The Standard Webhooks signing secret (`whsec_<base64 key>`): shown in this answer only, never again'
      }
    },
    rules: { create: targetRules, patch: targetRules }
  })
}

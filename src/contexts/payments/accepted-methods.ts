import type { Application } from '../../declarations'
import type { Settings } from '../../engine/domain'
import { CURRENCIES } from '../../generated/vocabularies'
import { enabledPaymentProviders } from './provider'

const enabled = (settings: Settings) => enabledPaymentProviders(settings as Application)

/**
 * The enabled providers' payment methods when every one can list them (the simulator's); empty when one takes
 * ids it cannot list (Stripe's `pm_…`), so that no client is told a closed list.
 */
export const acceptedMethods = (settings: Settings): string[] => {
  const providers = enabled(settings).map(({ provider }) => provider)
  if (providers.some((provider) => !provider.acceptedMethods?.length)) return []
  return providers.flatMap((provider) => [...provider.acceptedMethods!])
}

export interface ProviderFacts {
  name: string
  methods?: string[]
  methodsHint?: string
  currencies: string[]
}

/** Each enabled provider: its methods (a list, or words) and currencies. */
export const enabledProviderFacts = (settings: Settings): ProviderFacts[] =>
  enabled(settings).map(({ provider, currencies }) => ({
    name: provider.name,
    ...(provider.acceptedMethods?.length
      ? { methods: [...provider.acceptedMethods] }
      : { methodsHint: provider.methodsHint }),
    currencies: currencies ?? [...CURRENCIES]
  }))

/**
 * The enabled providers and their methods, as /declarations.json shows them to clients; `provider` (the first
 * enabled) and `methods` as before several providers could be enabled.
 */
export const paymentFacts = (settings: Settings) => {
  const providers = enabledProviderFacts(settings)
  return {
    provider: providers[0]?.name ?? null,
    methods: providers.flatMap((provider) => provider.methods ?? []),
    providers
  }
}

import type { Application } from '../../declarations'
import type { Settings } from '../../engine/domain'
import { providerFor } from './provider'

/** The configured provider's accepted payment methods; outside a server, from the configuration alone. */
export const acceptedMethods = (settings: Settings): string[] => [
  ...(providerFor(settings as Application).acceptedMethods ?? [])
]

/** The configured provider and its methods, as /declarations.json shows them to clients. */
export const paymentFacts = (settings: Settings) => ({
  provider: providerFor(settings as Application).name,
  methods: acceptedMethods(settings)
})

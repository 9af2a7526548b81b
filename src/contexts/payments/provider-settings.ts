import type { Currency } from '../../generated/vocabularies'

// `payments.providers` (config/*.json, checked at boot by src/configuration.ts): which providers take new
// payments, and in which currencies. Read from the settings alone, so generators can use it without a server.

export const PROVIDER_NAMES = ['simulated', 'stripe'] as const
export type ProviderName = (typeof PROVIDER_NAMES)[number]

export interface ProviderSettings {
  enabled: boolean
  /** The currencies it takes payments in; all when left out. */
  currencies?: Currency[]
}

export interface StripeSettings extends ProviderSettings {
  /** `STRIPE_SECRET_KEY`: `sk_live_…` or `sk_test_…` (a restricted `rk_…` key works too). */
  secretKey: string
  /** `STRIPE_WEBHOOK_SECRET`: the endpoint's signing secret, `whsec_…`. */
  webhookSecret: string
  /** `STRIPE_API_BASE`: another endpoint than api.stripe.com (a local stand-in in tests); empty: Stripe's. */
  apiBase: string
  /** How old a webhook's signature may be (Stripe's default: 300 s). */
  webhookToleranceSeconds: number
  /** How long Stripe's search may take to show an intent: until then, not found is not taken as never made. */
  searchLagSeconds: number
}

interface Readable {
  get(key: string): any
}

/** Without `payments.providers` (a settings stub, an old configuration): the simulator alone. */
const providersOf = (app: Readable): Record<string, ProviderSettings | undefined> =>
  app.get('payments')?.providers ?? { simulated: { enabled: true } }

export const providerSettings = (app: Readable, name: string) => providersOf(app)[name]

export const stripeSettings = (app: Readable) => providerSettings(app, 'stripe') as StripeSettings | undefined

/** The names of the enabled providers, in the order of PROVIDER_NAMES (the first serving a payment takes it). */
export const enabledProviders = (app: Readable): ProviderName[] => {
  const providers = providersOf(app)
  return PROVIDER_NAMES.filter((name) => providers[name]?.enabled)
}

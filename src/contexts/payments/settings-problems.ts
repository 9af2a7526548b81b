import { stripeSettings, providerSettings } from './provider-settings'

/**
 * What no schema can check in `payments` (src/configuration.ts), every problem at once: an enabled Stripe needs its
 * keys; production refuses the simulated provider (it takes no money) unless `PAYMENTS_ALLOW_SIMULATOR=true`.
 */
export const paymentProviderProblems = (env: string | undefined, payments: any): string[] => {
  if (!payments?.providers) return []
  const app = { get: () => payments }
  const problems: string[] = []
  const stripe = stripeSettings(app)
  if (stripe?.enabled) {
    if (!stripe.secretKey)
      problems.push(
        'STRIPE_SECRET_KEY (payments.providers.stripe.secretKey) is required when Stripe is enabled'
      )
    else if (!/^(sk|rk)_(test|live)_/.test(stripe.secretKey))
      problems.push(
        'STRIPE_SECRET_KEY (payments.providers.stripe.secretKey) must be a secret key: sk_live_… or sk_test_…'
      )
    if (!stripe.webhookSecret)
      problems.push(
        'STRIPE_WEBHOOK_SECRET (payments.providers.stripe.webhookSecret) is required when Stripe is enabled: the ' +
          "signing secret (whsec_…) of the endpoint /payments/webhook/stripe in Stripe's Dashboard"
      )
  }
  if (env === 'production' && providerSettings(app, 'simulated')?.enabled && !payments.allowSimulator) {
    problems.push(
      'PAYMENTS_SIMULATOR_ENABLED (payments.providers.simulated.enabled): the simulated provider takes no money and ' +
        'is refused with NODE_ENV=production; disable it, or set PAYMENTS_ALLOW_SIMULATOR=true on purpose'
    )
  }
  return problems
}

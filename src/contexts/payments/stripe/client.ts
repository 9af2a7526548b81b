import Stripe from 'stripe'
import type { Application } from '../../../declarations'
import { stripeSettings } from '../provider-settings'

/**
 * The SDK client of `payments.providers.stripe`: the secret key, and `apiBase` (`STRIPE_API_BASE`) when it is not
 * api.stripe.com. Its own timeout is ours (`payments.providerTimeoutMs`), so no request outlives the wait for it.
 * No network retries inside a request (their backoff would outlast that wait and turn an outage into a timeout):
 * the reconciler asks again later with the same key (docs.stripe.com/error-low-level#idempotency).
 */
export const stripeClient = (app: Application): Stripe => {
  const settings = stripeSettings(app)
  if (!settings?.secretKey)
    throw new Error('payments.providers.stripe.secretKey (STRIPE_SECRET_KEY) is not set')
  const base = settings.apiBase ? new URL(settings.apiBase) : undefined
  return new Stripe(settings.secretKey, {
    maxNetworkRetries: 0,
    timeout: app.get('payments').providerTimeoutMs,
    appInfo: { name: 'internal-api' },
    ...(base && {
      host: base.hostname,
      port: base.port || (base.protocol === 'http:' ? 80 : 443),
      protocol: base.protocol === 'http:' ? 'http' : 'https'
    })
  })
}

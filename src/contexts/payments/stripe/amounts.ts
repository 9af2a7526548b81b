import { CURRENCY_DIGITS, type Currency } from '../../../generated/vocabularies'

/**
 * Stripe's zero-decimal currencies (docs.stripe.com/currencies#zero-decimal): their amounts are whole units
 * (`amount: 5000` KRW is ₩5,000); every other currency we take has two decimals (`amount: 1999` USD is $19.99).
 */
const STRIPE_ZERO_DECIMAL = new Set([
  'BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF'
]) // prettier-ignore

const stripeDigits = (currency: Currency) => (STRIPE_ZERO_DECIMAL.has(currency) ? 0 : 2)

/**
 * Our amount (integer minor units with the currency's `digits`, src/contexts/_vocabularies.yaml) as Stripe's
 * `amount`. Equal for KRW, USD and EUR today; a currency whose digits differ from Stripe's is scaled, and one that
 * cannot be scaled exactly is refused rather than rounded.
 */
export const toStripeAmount = (amount: number, currency: Currency): number => {
  const shift = stripeDigits(currency) - CURRENCY_DIGITS[currency]
  const scaled = shift >= 0 ? amount * 10 ** shift : amount / 10 ** -shift
  if (!Number.isSafeInteger(scaled)) throw new Error(`${amount} ${currency} has no exact Stripe amount`)
  return scaled
}

/** Stripe's `currency` (lower-case ISO 4217). */
export const toStripeCurrency = (currency: Currency) => currency.toLowerCase()

/** Stripe's `amount` back in our minor units (the inverse of `toStripeAmount`). */
export const fromStripeAmount = (amount: number, currency: Currency): number => {
  const shift = stripeDigits(currency) - CURRENCY_DIGITS[currency]
  return shift >= 0 ? amount / 10 ** shift : amount * 10 ** -shift
}

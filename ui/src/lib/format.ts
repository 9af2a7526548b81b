import { CURRENCY_DIGITS, type Currency } from '../../../src/generated/vocabularies'

/** Minor units to a price: 150000 KRW → ₩150,000; 1999 USD → $19.99. */
export const money = (cents: number | null | undefined, currency: string | null | undefined = 'KRW') => {
  if (cents === null || cents === undefined) return ''
  const code = currency || 'KRW'
  // Digits from the declared vocabulary (src/contexts/_vocabularies.yaml); an unknown code shows cents as 2.
  const digits = CURRENCY_DIGITS[code as Currency] ?? 2
  return new Intl.NumberFormat(undefined, {
    style: 'currency',
    currency: code,
    minimumFractionDigits: digits
  }).format(cents / 10 ** digits)
}

export const dateTime = (value: string | null | undefined) => (value ? new Date(value).toLocaleString() : '')

/** `partially_refunded` → `partially refunded`. */
export const label = (value: string) => value.replace(/_/g, ' ')

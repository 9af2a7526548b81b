import type { Behaviour } from './types'
import { issueApiKey, revokeApiKey } from './api-keys'
import { revokeSession } from './revoke-session'
import { userAccount } from './user-account'
import { inventoryLedger } from './inventory-ledger'
import { orderLifecycle } from './order-lifecycle'
import { paymentProcessing } from './payments'
import { refundProcessing } from './refunds'

/** Every behaviour a declaration may name. */
export const behaviours: Record<string, Behaviour> = {
  issueApiKey,
  revokeApiKey,
  revokeSession,
  userAccount,
  inventoryLedger,
  orderLifecycle,
  paymentProcessing,
  refundProcessing
}

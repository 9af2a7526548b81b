import type { Domain } from '../engine/domain'
import { LIMIT_KINDS } from '../auth/rate-limit'
import { issueApiKey, revokeApiKey } from './identity/api-key-secrets'
import { revokeSession } from './identity/revoke-session'
import { userAccount } from './identity/user-account'
import { inventoryLedger } from './inventory/inventory-ledger'
import { orderLifecycle } from './orders/order-lifecycle'
import { paymentProcessing } from './payments/payment-processing'
import { refundProcessing } from './payments/refund-processing'

/** Every name a declaration may use, by kind: the contexts' registry, handed to the engine by src/app.ts. */
export const domain: Domain = {
  behaviours: {
    issueApiKey,
    revokeApiKey,
    revokeSession,
    userAccount,
    inventoryLedger,
    orderLifecycle,
    paymentProcessing,
    refundProcessing
  },
  rateLimiters: LIMIT_KINDS
}

import type { Domain } from '../engine/domain'
import { LIMIT_KINDS } from '../auth/rate-limit'
import { issueApiKey, revokeApiKey } from './identity/api-key-secrets'
import { revokeSession } from './identity/revoke-session'
import { userAccount } from './identity/user-account'
import { inventoryLedger } from './inventory/inventory-ledger'
import { orderLifecycle } from './orders/order-lifecycle'
import { paymentProcessing } from './payments/payment-processing'
import { refundProcessing } from './payments/refund-processing'
import { identityContracts } from './identity/contract'
import { inventoryContracts } from './inventory/contract'
import { ordersContracts } from './orders/contract'
import { paymentsContracts } from './payments/contract'
import { paymentsOpenApi } from './payments/openapi'
import { paymentFacts } from './payments/accepted-methods'
import {
  recordOrderHistory,
  recordOrderShipment,
  releaseOrderStock,
  restockUnshipped
} from './orders/order-effects'
import { cancelOrderPayments, payCapturedOrder, refundOrderInFull } from './payments/order-effects'
import { webhookSubscriptionRules } from './webhooks/subscription-rules'
import { scheduleRedelivery, subscriptionActive } from './webhooks/redelivery'
import { webhooksContracts } from './webhooks/contract'
import { queueWebhookDeliveries } from './webhooks/queue-deliveries'
import { deliverWebhooks } from './webhooks/deliver-webhooks'
import { reconcilePayments } from './payments/reconcile'
import { notifyCustomers } from './notifications/notify-customers'
import { expirePendingOrdersJob } from './orders/expire-pending-orders'

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
    refundProcessing,
    webhookSubscriptionRules
  },
  guards: { subscriptionActive },
  effects: {
    recordOrderHistory,
    recordOrderShipment,
    releaseOrderStock,
    restockUnshipped,
    cancelOrderPayments,
    refundOrderInFull,
    payCapturedOrder,
    scheduleRedelivery
  },
  rateLimiters: LIMIT_KINDS,
  contracts: {
    ...identityContracts,
    ...inventoryContracts,
    ...ordersContracts,
    ...paymentsContracts,
    ...webhooksContracts
  },
  openApi: [paymentsOpenApi],
  payments: paymentFacts,
  consumers: { queueWebhookDeliveries, notifyCustomers },
  jobs: { deliverWebhooks, reconcilePayments, expirePendingOrders: expirePendingOrdersJob }
}

import { randomUUID } from 'node:crypto'
import type { Knex } from 'knex'
import type { Application } from '../../declarations'
import type {
  ChargeRequest,
  Currency,
  PaymentProvider,
  PaymentResult,
  RefundRequest,
  RefundResult
} from './provider'

/** The test payment methods, in the style of card processors' test tokens. */
export const SIMULATED_METHODS = {
  /** Authorized and captured at once. */
  sim_succeed: 'captured',
  /** Declined. */
  sim_fail: 'failed',
  /** Stays pending until a signed `payment.captured` or `payment.failed` webhook arrives. */
  sim_async: 'pending',
  /** Captured, but the answer never arrives in time: the payment stays pending until the reconciler asks. */
  sim_timeout: 'captured'
} as const

type SimulatedMethod = keyof typeof SIMULATED_METHODS

/** The simulated provider's own ledger (migrations/20261207162137_event-driven-core.ts): what it took and gave. */
export const SIMULATED_LEDGER = 'simulated_provider_charges'

interface LedgerRow {
  idempotencyKey: string
  kind: 'charge' | 'refund'
  providerRef: string
  status: string
  amountCents: number
  currency: string
}

const ref = (prefix: string) => `${prefix}_${randomUUID().replace(/-/g, '')}`

const DECLINED = 'card declined (simulated: sim_fail)'

const asCharge = (row: LedgerRow): PaymentResult => ({
  status: row.status as PaymentResult['status'],
  providerRef: row.providerRef,
  ...(row.status === 'failed' && { failureReason: DECLINED })
})

const asRefund = (row: LedgerRow): RefundResult => ({
  status: row.status as RefundResult['status'],
  providerRef: row.providerRef
})

/**
 * The default provider: no network, deterministic by payment method, and idempotent by key like a real one —
 * its ledger (a table of its own, written outside the server's transactions, as a remote provider would be)
 * holds one row per key, so a repeated call answers the first result and the tests can count what it took.
 * Refunds always succeed. Asynchronous payments are completed by webhooks signed like a real provider's
 * (docs/api/payment-processing.md shows how to send one).
 */
export class SimulatedProvider implements PaymentProvider {
  readonly name = 'simulated'
  readonly acceptedMethods = Object.keys(SIMULATED_METHODS)

  constructor(private readonly app: Application) {}

  private get ledger(): Knex {
    return this.app.get('knex')
  }

  supports(paymentMethod: string): boolean {
    return Object.hasOwn(SIMULATED_METHODS, paymentMethod)
  }

  /** The row of `key`: the one inserted now, or the one a first call (maybe a concurrent one) made. */
  private async record(row: LedgerRow): Promise<{ row: LedgerRow; first: boolean }> {
    const inserted = await this.ledger(SIMULATED_LEDGER)
      .insert(row)
      .onConflict('idempotencyKey')
      .ignore()
      .returning('*')
    if (inserted.length) return { row: inserted[0], first: true }
    return {
      row: await this.ledger(SIMULATED_LEDGER).where({ idempotencyKey: row.idempotencyKey }).first(),
      first: false
    }
  }

  private find(idempotencyKey: string, kind: LedgerRow['kind']): Promise<LedgerRow | undefined> {
    return this.ledger(SIMULATED_LEDGER).where({ idempotencyKey, kind }).first()
  }

  async charge({
    idempotencyKey,
    paymentMethod,
    amountCents,
    currency
  }: ChargeRequest): Promise<PaymentResult> {
    const method = paymentMethod as SimulatedMethod
    const { row, first } = await this.record({
      idempotencyKey,
      kind: 'charge',
      providerRef: ref('simpay'),
      status: SIMULATED_METHODS[method],
      amountCents,
      currency
    })
    // The charge is taken; its answer is lost on the way (longer than the server waits).
    if (first && method === 'sim_timeout') {
      // Unreferenced: a late answer nobody waits for must not keep a stopping process alive.
      await new Promise((resolve) =>
        setTimeout(resolve, 2 * this.app.get('payments').providerTimeoutMs).unref()
      )
    }
    return asCharge(row)
  }

  async findCharge(idempotencyKey: string): Promise<PaymentResult | undefined> {
    const row = await this.find(idempotencyKey, 'charge')
    return row && asCharge(row)
  }

  /** A pending charge is released; an unknown key is closed, so that a charge arriving late is refused. */
  async cancel(request: { idempotencyKey: string; amountCents: number; currency: Currency }) {
    const { idempotencyKey } = request
    await this.record({ ...request, kind: 'charge', providerRef: ref('simpay'), status: 'cancelled' })
    await this.ledger(SIMULATED_LEDGER)
      .where({ idempotencyKey, status: 'pending' })
      .update({ status: 'cancelled' })
    return asCharge((await this.find(idempotencyKey, 'charge'))!)
  }

  async refund({ idempotencyKey, amountCents, currency }: RefundRequest): Promise<RefundResult> {
    const { row } = await this.record({
      idempotencyKey,
      kind: 'refund',
      providerRef: ref('simref'),
      status: 'succeeded',
      amountCents,
      currency
    })
    return asRefund(row)
  }

  async findRefund(idempotencyKey: string): Promise<RefundResult | undefined> {
    const row = await this.find(idempotencyKey, 'refund')
    return row && asRefund(row)
  }
}

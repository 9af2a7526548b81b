import { defineCommand, step } from '../../engine/runtime/command'
import type { WebhookDeliveryPatch } from '../../generated/types'
import type { ClaimedDelivery } from './claim-deliveries'
import { nextAttemptAt } from './retry-schedule'
import type { WebhookOutcome } from './send-webhook'

export interface AttemptInput {
  delivery: ClaimedDelivery
  outcome: WebhookOutcome
}

interface AttemptState {
  /** Whether this worker still holds the claim (else the outcome is not ours to record). */
  held: boolean
  delivery: Record<string, any>
}

type AttemptStep = Parameters<typeof step<AttemptInput, AttemptState>>[1]
const attemptStep = (name: string, run: AttemptStep) => step<AttemptInput, AttemptState>(name, run)

/** The row locked, if it is still pending under this worker's claim (a deactivation or an expired claim: not). */
const lockClaim = attemptStep('lockClaim', async ({ trx, input, state }) => {
  const row = await trx('webhook_deliveries')
    .where({ id: input.delivery.id, status: 'pending', claimedUntil: input.delivery.claimedUntil })
    .forUpdate()
    .first('id')
  state.held = !!row
})

/** What one attempt leaves: a 2xx succeeds; anything else waits for the next step of the schedule, or fails. */
export const attemptResult = (
  { attempts }: ClaimedDelivery,
  outcome: WebhookOutcome,
  schedule: string,
  now = new Date()
): WebhookDeliveryPatch => {
  const released = { claimedUntil: null }
  if ('statusCode' in outcome && outcome.statusCode >= 200 && outcome.statusCode < 300) {
    const at = now.toISOString()
    return {
      ...released,
      status: 'succeeded',
      lastStatusCode: outcome.statusCode,
      lastError: null,
      deliveredAt: at,
      nextAttemptAt: null
    }
  }
  const failure =
    'statusCode' in outcome
      ? { lastStatusCode: outcome.statusCode, lastError: `the receiver answered ${outcome.statusCode}` }
      : { lastStatusCode: null, lastError: outcome.error.slice(0, 500) }
  const next = nextAttemptAt(schedule, attempts, now.getTime())
  return next
    ? { ...released, ...failure, nextAttemptAt: next }
    : { ...released, ...failure, status: 'failed', nextAttemptAt: null }
}

const record = attemptStep('record', async ({ app, input, state, records }) => {
  if (!state.held) return
  const change = attemptResult(input.delivery, input.outcome, app.get('webhooks').retrySchedule)
  state.delivery = await records.patch('webhook-deliveries', input.delivery.id, change)
})

/**
 * `recordWebhookAttempt`: after a delivery attempt (made outside any transaction), its outcome, once, by the
 * worker that claimed it; a success or the last failure is the delivery's `succeed` or `fail` transition.
 */
export const recordWebhookAttempt = defineCommand<
  AttemptInput,
  AttemptState,
  Record<string, any> | undefined
>('recordWebhookAttempt', [lockClaim, record], ({ state }) => state.delivery)

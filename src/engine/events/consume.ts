import type { Knex } from 'knex'
import type { Application } from '../../declarations'
import { recordsFor } from '../runtime/records'
import { settleHeldEvents } from '../pipeline/transaction'
import { afterCommitSettled } from '../runtime/after-commit'
import type { CloudEvent } from './cloud-event'
import type { Consumer } from './consumer'

export type Handled = 'handled' | 'duplicate'

/**
 * Handles one event once: in one transaction, the consumer's mark (`consumed_events`, primary key consumer and
 * event id) and its effect. A second delivery of the event (a redelivery after a crash, a republish) finds the
 * mark and does nothing; a failure rolls both back, so the event is handled again on its next delivery.
 */
export const handleEvent = async (
  app: Application,
  name: string,
  consumer: Consumer,
  event: CloudEvent
): Promise<Handled> => {
  const knex: Knex = app.get('knex')
  let opened: Knex.Transaction | undefined
  const outcome = await app
    .get('tableChanges')
    .transaction(knex, async (trx: Knex.Transaction): Promise<Handled> => {
      opened = trx
      const marked = await trx('consumed_events')
        .insert({ consumer: name, eventId: event.id })
        .onConflict(['consumer', 'eventId'])
        .ignore()
        .returning('eventId')
      if (!marked.length) return 'duplicate'
      const params = { transaction: { trx } }
      await consumer.handle(event, { app, params, records: recordsFor(app, params, `consumer ${name}`) })
      await settleHeldEvents(trx)
      return 'handled'
    })
  // What the effect left for after its commit (a provider's call) is done before the event is acknowledged.
  await afterCommitSettled(opened)
  app.get('metrics')?.eventsConsumed.inc({ consumer: name, outcome })
  return outcome
}

import type { Application } from '../../declarations'
import { matchesType, type CloudEvent } from './cloud-event'
import type { Consumer } from './consumer'
import { handleEvent } from './consume'
import type { EventBus } from './relay'

/** Attempts of one consumer at one event before it is given up (logged as an error) so the stream moves on. */
const MAX_ATTEMPTS = 5

/**
 * Without NATS: the relay hands each event straight to this process's consumers, in order. An event counts as
 * published once every consumer has handled it; a consumer that fails stops the relay there (it retries at its
 * next poll, and the consumers that had handled it find it handled), until MAX_ATTEMPTS.
 */
export class InProcessBus implements EventBus {
  readonly kind = 'in-process'
  private readonly failures = new Map<string, number>()

  constructor(
    private readonly app: Application,
    private readonly consumers: Record<string, Consumer>
  ) {}

  async publish(event: CloudEvent) {
    for (const [name, consumer] of Object.entries(this.consumers)) {
      if (!matchesType(consumer.events, event.type)) continue
      const key = `${name}/${event.id}`
      try {
        await handleEvent(this.app, name, consumer, event)
        this.failures.delete(key)
      } catch (error) {
        const attempts = (this.failures.get(key) ?? 0) + 1
        if (attempts < MAX_ATTEMPTS) {
          this.failures.set(key, attempts)
          throw error
        }
        this.failures.delete(key)
        this.app
          .get('logger')
          .error(
            { err: error, consumer: name, eventId: event.id, type: event.type, attempts },
            'consumer gave up on an event'
          )
        this.app.get('metrics')?.eventsConsumed.inc({ consumer: name, outcome: 'dropped' })
      }
    }
  }

  up() {
    return true
  }

  async close() {}
}

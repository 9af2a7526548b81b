import type { Application } from '../../declarations'
import type { Domain } from '../domain'
import { InProcessBus } from './in-process-bus'
import { scheduleJobs } from './jobs'
import { NatsBus } from './nats-bus'
import { OutboxRelay, type EventBus } from './relay'

export interface Workers {
  bus: EventBus
  relay: OutboxRelay
  stop(): Promise<void>
}

/**
 * The event-driven part of a process (docs/events.md): the outbox relay, the domain's consumers and its
 * periodic jobs. With `events.natsUrl` the relay publishes to NATS JetStream and the consumers read it there;
 * without, they are handed the events in this process. Run by the API (`WORKERS=inline`) or by `npm run worker`.
 */
export const startWorkers = (app: Application, domain: Domain): Workers => {
  const events = app.get('events')
  const consumers = domain.consumers ?? {}
  const bus: EventBus = events.natsUrl
    ? new NatsBus(app, {
        url: events.natsUrl,
        stream: events.stream,
        subjectPrefix: events.subjectPrefix,
        consumers
      })
    : new InProcessBus(app, consumers)
  const relay = new OutboxRelay(app, bus, {
    intervalMs: events.relayIntervalMs,
    keepPublishedHours: events.keepPublishedHours
  })
  app.set('outboxRelay', relay)
  relay.start()
  const stopJobs = scheduleJobs(app, domain.jobs ?? {})
  return {
    bus,
    relay,
    stop: async () => {
      await stopJobs()
      await relay.stop()
      await bus.close()
      app.set('outboxRelay', undefined)
    }
  }
}

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { Application } from '../declarations'

/** Prometheus metrics of one app: service calls over REST and Socket.io alike, and the database. */
export const createMetrics = () => {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  return {
    registry,
    requestDuration: new Histogram({
      name: 'api_request_duration_seconds',
      help: 'Service call duration by transport, service, method and status code',
      labelNames: ['transport', 'service', 'method', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry]
    }),
    requestErrors: new Counter({
      name: 'api_request_errors_total',
      help: 'Service calls answered with a 5xx',
      labelNames: ['transport', 'service', 'method'],
      registers: [registry]
    }),
    requestsInFlight: new Gauge({
      name: 'api_requests_in_flight',
      help: 'Service calls being handled now',
      labelNames: ['transport'],
      registers: [registry]
    }),
    databaseUp: new Gauge({
      name: 'api_database_up',
      help: '1 when the last database ping succeeded',
      registers: [registry]
    }),
    databasePool: new Gauge({
      name: 'api_database_pool_connections',
      help: 'Database pool connections by state',
      labelNames: ['state'],
      registers: [registry]
    }),
    socketConnections: new Gauge({
      name: 'api_socket_connections',
      help: 'Open Socket.io connections',
      registers: [registry]
    }),
    graphqlSubscriptions: new Gauge({
      name: 'api_graphql_subscriptions',
      help: 'GraphQL subscriptions open now (graphql-ws), by subscription field',
      labelNames: ['subscription'],
      registers: [registry]
    }),
    graphqlEvents: new Counter({
      name: 'api_graphql_subscription_events_total',
      help: 'Events sent to GraphQL subscribers (graphql-ws), by subscription field',
      labelNames: ['subscription'],
      registers: [registry]
    }),
    eventsPublished: new Counter({
      name: 'api_realtime_events_published_total',
      help: 'Realtime events sent to at least one connection',
      labelNames: ['service', 'event'],
      registers: [registry]
    }),
    outboxPublished: new Counter({
      name: 'api_outbox_events_published_total',
      help: 'Events the outbox relay handed to its bus (NATS JetStream or the in-process consumers)',
      labelNames: ['bus'],
      registers: [registry]
    }),
    outboxPending: new Gauge({
      name: 'api_outbox_events_pending',
      help: 'Committed events not yet published, as the relay last saw them',
      registers: [registry]
    }),
    eventsConsumed: new Counter({
      name: 'api_events_consumed_total',
      help: 'Events handled by a consumer (outcome: handled, duplicate, failed, dropped)',
      labelNames: ['consumer', 'outcome'],
      registers: [registry]
    }),
    jobRuns: new Counter({
      name: 'api_job_runs_total',
      help: 'Runs of the periodic jobs (outcome: ok, failed)',
      labelNames: ['job', 'outcome'],
      registers: [registry]
    }),
    natsUp: new Gauge({
      name: 'api_nats_up',
      help: '1 while connected to NATS (NATS_URL), 0 while it is unreachable',
      registers: [registry]
    }),
    unhandledRejections: new Counter({
      name: 'api_unhandled_rejections_total',
      help: 'Promise rejections nobody handled (logged; the process goes on)',
      registers: [registry]
    }),
    listenerErrors: new Counter({
      name: 'api_event_listener_errors_total',
      help: 'Errors thrown by event listeners (logged; the emitter goes on)',
      labelNames: ['listener'],
      registers: [registry]
    }),
    redisUp: new Gauge({
      name: 'api_redis_up',
      help: '1 while connected to Redis (REDIS_URL), 0 while it is unreachable, by client',
      labelNames: ['client'],
      registers: [registry]
    }),
    redisDropped: new Counter({
      name: 'api_redis_messages_dropped_total',
      help: 'Messages for other instances not sent because Redis was unreachable',
      labelNames: ['channel'],
      registers: [registry]
    }),
    business: new Counter({
      name: 'api_business_events_total',
      help: 'Orders created, payments captured, refunds made',
      labelNames: ['event'],
      registers: [registry]
    })
  }
}

/** Counts what the spec's operators watch besides requests: sockets, realtime events and the business. */
export const observe = (app: Application) => {
  const metrics = app.get('metrics')
  app.on('connection', () => metrics.socketConnections.inc())
  app.on('disconnect', () => metrics.socketConnections.dec())
  app.on('publish', (event: string, _channel: unknown, context: any) =>
    metrics.eventsPublished.inc({ service: context?.path ?? 'unknown', event })
  )
  const count = (event: string) => () => metrics.business.inc({ event })
  app.service('orders').on('created', count('order_created'))
  app.service('refunds').on('created', count('refund_created'))
  app
    .service('payments')
    .on(
      'created',
      (payment: any) => payment.status === 'captured' && metrics.business.inc({ event: 'payment_captured' })
    )
  app.service('payments').on('patched', (_payment: any, context: any) => {
    if (context?.params?.transition?.to === 'captured') metrics.business.inc({ event: 'payment_captured' })
  })
}

export type Metrics = ReturnType<typeof createMetrics>

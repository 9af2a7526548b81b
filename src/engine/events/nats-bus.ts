import {
  AckPolicy,
  connect,
  DeliverPolicy,
  nanos,
  RetentionPolicy,
  StorageType,
  StringCodec,
  type ConsumerMessages,
  type JsMsg,
  type NatsConnection
} from 'nats'
import type { Application } from '../../declarations'
import { matchesType, type CloudEvent } from './cloud-event'
import type { Consumer } from './consumer'
import { handleEvent } from './consume'
import type { EventBus } from './relay'

export interface NatsOptions {
  url: string
  stream: string
  subjectPrefix: string
  /** The consumers to run here (none in a process that only relays). */
  consumers: Record<string, Consumer>
}

/** Redeliveries of one event to one consumer before JetStream gives up on it (logged by the last attempt). */
const MAX_DELIVER = 10
const ACK_WAIT_MS = 30_000
const DUPLICATE_WINDOW_MS = 10 * 60_000
const codec = StringCodec()

/**
 * NATS JetStream (the official `nats` client): the relay publishes each event to `<prefix>.<type>` in the stream
 * (created if missing), with the event id as `Nats-Msg-Id`, so a republish after a crash within the duplicate
 * window is dropped by the server. Each consumer is a durable pull consumer of that stream named after it:
 * several workers share it (each event goes to one of them), and it resumes where it was acknowledged. An
 * event is acknowledged after its transaction committed; a crash before that redelivers it, and the consumer's
 * mark (consumed_events) makes the second delivery a no-op. The connection is retried forever in the
 * background: until it is up, `publish` fails and the relay keeps the events in the outbox.
 */
export class NatsBus implements EventBus {
  readonly kind = 'nats'
  private connection?: NatsConnection
  private readonly running: ConsumerMessages[] = []
  private readonly loops: Promise<void>[] = []
  private closed = false
  private connected = false
  readonly ready: Promise<void>

  constructor(
    private readonly app: Application,
    private readonly options: NatsOptions
  ) {
    this.ready = this.open().catch((error) => {
      if (!this.closed) app.get('logger').error({ err: error }, 'NATS: could not set up the stream')
    })
  }

  private async open() {
    const connection = await connect({
      servers: this.options.url,
      name: 'internal-api',
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
      timeout: 5000
    })
    if (this.closed) return void (await connection.close())
    this.connection = connection
    this.connected = true
    this.watchStatus(connection)
    this.app.get('metrics')?.natsUp.set(1)
    await this.ensureStream()
    for (const [name, consumer] of Object.entries(this.options.consumers)) await this.consume(name, consumer)
  }

  private watchStatus(connection: NatsConnection) {
    const logger = this.app.get('logger')
    void (async () => {
      for await (const status of connection.status()) {
        if (status.type === 'disconnect') {
          this.connected = false
          this.app.get('metrics')?.natsUp.set(0)
          logger.warn('NATS: disconnected; reconnecting')
        }
        if (status.type === 'reconnect') {
          this.connected = true
          this.app.get('metrics')?.natsUp.set(1)
          logger.info('NATS: reconnected')
        }
      }
    })().catch(() => undefined)
  }

  private async ensureStream() {
    const manager = await this.connection!.jetstreamManager()
    const { stream, subjectPrefix } = this.options
    const config = {
      name: stream,
      subjects: [`${subjectPrefix}.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      max_age: nanos(7 * 24 * 3_600_000)
    }
    const existing = await manager.streams.info(stream).catch(() => undefined)
    if (!existing) await manager.streams.add(config)
  }

  private async consume(name: string, consumer: Consumer) {
    const manager = await this.connection!.jetstreamManager()
    const { stream, subjectPrefix } = this.options
    const existing = await manager.consumers.info(stream, name).catch(() => undefined)
    if (!existing) {
      await manager.consumers.add(stream, {
        durable_name: name,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        filter_subject: `${subjectPrefix}.>`,
        max_deliver: MAX_DELIVER,
        ack_wait: nanos(ACK_WAIT_MS)
      })
    }
    const messages = await this.connection!.jetstream().consumers.get(stream, name)
    const iterator = await messages.consume({ max_messages: 20 })
    this.running.push(iterator)
    this.loops.push(
      (async () => {
        for await (const message of iterator) await this.handle(name, consumer, message)
      })().catch((error) =>
        this.app.get('logger').error({ err: error, consumer: name }, 'NATS consumer ended')
      )
    )
  }

  private async handle(name: string, consumer: Consumer, message: JsMsg) {
    let event: CloudEvent
    try {
      event = JSON.parse(codec.decode(message.data))
    } catch {
      // Not ours (someone published by hand): never redelivered.
      return message.term()
    }
    if (!matchesType(consumer.events, event.type)) return message.ack()
    try {
      await handleEvent(this.app, name, consumer, event)
      message.ack()
    } catch (error) {
      const attempt = message.info.redeliveryCount
      const context = { err: error, consumer: name, eventId: event.id, type: event.type, attempt }
      const logger = this.app.get('logger')
      if (attempt >= MAX_DELIVER) logger.error(context, 'consumer gave up on an event')
      else logger.warn(context, 'consumer failed; redelivering')
      message.nak(Math.min(30_000, 1000 * attempt))
    }
  }

  up() {
    const connection = this.connection
    return !!connection && !connection.isClosed() && this.connected
  }

  async publish(event: CloudEvent) {
    const connection = this.connection
    if (!connection || !this.up()) throw new Error('NATS is not connected')
    const subject = `${this.options.subjectPrefix}.${event.type}`
    await connection.jetstream().publish(subject, codec.encode(JSON.stringify(event)), {
      msgID: event.id,
      timeout: 5000
    })
  }

  async close() {
    this.closed = true
    for (const iterator of this.running) iterator.stop()
    await Promise.allSettled(this.loops)
    const connection = this.connection
    if (connection && !connection.isClosed()) await connection.drain().catch(() => connection.close())
  }
}

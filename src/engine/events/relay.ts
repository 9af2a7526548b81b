import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { Knex } from 'knex'
import type { Application } from '../../declarations'
import type { CloudEvent } from './cloud-event'
import { eventOf, OUTBOX } from './outbox'
import { releaseLease, takeLease } from './lease'

/** Where the relay hands events: NATS JetStream, or this process's consumers (src/engine/events/*-bus.ts). */
export interface EventBus {
  readonly kind: 'nats' | 'in-process'
  /** Resolves once the event is stored by the bus (JetStream's ack) or handled by every consumer. */
  publish(event: CloudEvent): Promise<void>
  /** Whether it can take events now (NATS connected); the in-process bus always can. */
  up(): boolean
  close(): Promise<void>
}

export interface RelayOptions {
  intervalMs: number
  keepPublishedHours: number
  batch?: number
  leaseMs?: number
}

const LEASE = 'outbox-relay'
const CLEANUP_EVERY_MS = 60_000
const QUIET_FAILURES_MS = 30_000

/**
 * Publishes the outbox in order: oldest unpublished row first, each marked published once the bus has it. One
 * relay at a time among all processes sharing the database (a lease, taken over when its holder dies), so
 * events of one record leave in the order their transactions committed. A crash between publishing and marking
 * publishes those events again, with the same ids: JetStream drops the duplicates (`Nats-Msg-Id`), and
 * consumers handle each id once. Polls every `intervalMs`, and at once when this process commits events.
 */
export class OutboxRelay {
  readonly holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
  private timer?: NodeJS.Timeout
  private running?: Promise<void>
  private wanted = false
  private stopped = false
  private lastCleanup = 0
  private lastFailureLog = 0

  constructor(
    private readonly app: Application,
    readonly bus: EventBus,
    private readonly options: RelayOptions
  ) {}

  private get knex(): Knex {
    return this.app.get('knex')
  }

  start() {
    this.schedule(0)
  }

  /** Something was committed here: publish now rather than at the next poll. */
  nudge() {
    if (this.stopped) return
    if (this.running) this.wanted = true
    else this.schedule(0)
  }

  private schedule(ms: number) {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => this.tick(), ms)
  }

  private tick() {
    this.wanted = false
    this.running = this.publishPending()
      .catch((error) => this.failed(error))
      .finally(() => {
        this.running = undefined
        if (!this.stopped) this.schedule(this.wanted ? 0 : this.options.intervalMs)
      })
  }

  /** A database or bus outage: logged once in a while, not at every poll; the next poll tries again. */
  private failed(error: unknown) {
    if (Date.now() - this.lastFailureLog < QUIET_FAILURES_MS) return
    this.lastFailureLog = Date.now()
    this.app
      .get('logger')
      .warn({ err: error, bus: this.bus.kind }, 'outbox relay: publishing failed; retrying')
  }

  /** Publishes every unpublished event, in batches, while it holds the lease. */
  async publishPending() {
    const batch = this.options.batch ?? 100
    const leaseMs = this.options.leaseMs ?? Math.max(10_000, this.options.intervalMs * 4)
    // Nothing to publish (most polls): a read, no lease write.
    const waiting = async () => {
      const some = !!(await this.knex(OUTBOX).whereNull('publishedAt').first('position'))
      if (!some) this.app.get('metrics')?.outboxPending.set(0)
      return some
    }
    while (!this.stopped && (await waiting()) && (await takeLease(this.knex, LEASE, this.holder, leaseMs))) {
      const rows = await this.knex(OUTBOX).whereNull('publishedAt').orderBy('position').limit(batch)
      this.app.get('metrics')?.outboxPending.set(rows.length)
      if (!rows.length) break
      const done: string[] = []
      try {
        for (const row of rows) {
          await this.bus.publish(eventOf(this.app, row))
          done.push(row.position)
          this.app.get('metrics')?.outboxPublished.inc({ bus: this.bus.kind })
        }
      } finally {
        if (done.length) await this.knex(OUTBOX).whereIn('position', done).update({ publishedAt: new Date() })
      }
      if (rows.length < batch) break
    }
    await this.cleanup()
  }

  /** Published events are kept `keepPublishedHours` (to look into, and to replay by hand), then deleted. */
  private async cleanup() {
    if (Date.now() - this.lastCleanup < CLEANUP_EVERY_MS) return
    this.lastCleanup = Date.now()
    const before = new Date(Date.now() - this.options.keepPublishedHours * 3_600_000)
    await this.knex(OUTBOX).where('publishedAt', '<', before).delete()
  }

  async stop() {
    this.stopped = true
    clearTimeout(this.timer)
    await this.running
    await releaseLease(this.knex, LEASE, this.holder).catch(() => undefined)
  }
}

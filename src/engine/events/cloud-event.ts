/**
 * One committed change, as CloudEvents 1.0 JSON (https://github.com/cloudevents/spec): what the outbox stores,
 * the relay publishes (NATS subject `<prefix>.<type>`) and consumers and webhook receivers get.
 */
export interface CloudEvent<Data = Record<string, any>> {
  specversion: '1.0'
  /** A UUID; also the NATS `Nats-Msg-Id` (deduplication) and the outgoing webhook's `webhook-id`. */
  id: string
  /** This API (configuration `events.source`). */
  source: string
  /** `<resource>.created|patched|updated|removed`, or `<resource>.<target state>` for a declared transition. */
  type: string
  /** When the change was written (ISO 8601). */
  time: string
  /** The record's id, as a string. */
  subject: string
  datacontenttype: 'application/json'
  /** The record as an admin reads it through the API: never a hidden field. */
  data: Data
}

/** Whether `type` is one of `patterns`: exact types, `orders.*` (a resource's every type) or `*`. */
export const matchesType = (patterns: readonly string[], type: string) =>
  patterns.some(
    (pattern) =>
      pattern === '*' || pattern === type || (pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1)))
  )

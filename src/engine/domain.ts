import type { Behaviour } from './runtime/behaviour'
import type { Effect, Guard } from './runtime/guards-and-effects'
import type { ContractRegistry } from './generators/behaviour-contract'
import type { OpenApiContribution } from './generators/openapi/contribution'
import type { ClientModel } from './generators/client-model-types'
import type { Consumer, Job } from './events/consumer'

/** Reads a configuration key: the app on a server, the `config` module in a command-line tool. */
export interface Settings {
  get(key: string): any
}

/**
 * What the bounded contexts (src/contexts/) give the engine. The engine defines these shapes and never imports
 * a context: the composition root (src/app.ts) hands the contexts' registry to the loader, which checks every
 * name a declaration uses against it, and to the runtime, which runs what the names stand for.
 */
export interface Domain {
  /** Named hooks a declaration lists under `behaviours:`. */
  behaviours: Record<string, Behaviour>
  /** Named guards a state machine's transition lists under `guards:`. */
  guards?: Record<string, Guard>
  /** Named effects a state machine lists under `effects:` (every transition) or a transition does. */
  effects?: Record<string, Effect>
  /** Named rate limiters a declaration may name under `rateLimit:` (configured in `rateLimits`). */
  rateLimiters?: readonly string[]
  /** By behaviour name: what it adds to its resource's contract (OpenAPI document, generated types). */
  contracts?: ContractRegistry
  /** Paths a context serves besides its resources (the payment webhook), for the OpenAPI document. */
  openApi?: OpenApiContribution[]
  /** The enabled payment providers and the methods they accept, for clients (`/declarations.json`, OpenAPI). */
  payments?: (settings: Settings) => ClientModel['payments']
  /** Named readers of the event stream, run by the workers (src/engine/events/consumer.ts). */
  consumers?: Record<string, Consumer>
  /** Named periodic jobs, run by the workers (reconcilers, expiry, deliveries). */
  jobs?: Record<string, Job>
}

/** No domain logic at all: what test fixtures and plain resources need. */
export const emptyDomain: Domain = { behaviours: {} }

import type { Behaviour } from './runtime/behaviour'

/**
 * What the bounded contexts (src/contexts/) give the engine. The engine defines these shapes and never imports
 * a context: the composition root (src/app.ts) hands the contexts' registry to the loader, which checks every
 * name a declaration uses against it, and to the runtime, which runs what the names stand for.
 */
export interface Domain {
  /** Named hooks a declaration lists under `behaviours:`. */
  behaviours: Record<string, Behaviour>
  /** Named rate limiters a declaration may name under `rateLimit:` (configured in `rateLimits`). */
  rateLimiters?: readonly string[]
}

/** No domain logic at all: what test fixtures and plain resources need. */
export const emptyDomain: Domain = { behaviours: {} }

import type { ResourceDeclaration } from '../../declarations/declaration'
import type { JsonSchema } from '../../declarations/field-types'

/**
 * Paths a module serves besides the declared resources, with the schemas and tags they need: a context's
 * (the payment webhook, through `Domain.openApi`) or the platform's (authentication, health and metrics,
 * handed in by src/ops/openapi.ts). Schema names must not clash with a resource's (the document fails loudly).
 */
export interface OpenApiContribution {
  /** Tags of its own (a path may also use a resource's tag). */
  tags?: { name: string; description?: string }[]
  /** Path -> Path Item; it may refer to resource schemas by their type names (`#/components/schemas/User`). */
  paths: (resources: ResourceDeclaration[]) => Record<string, unknown>
  /** Component schemas its paths refer to. */
  schemas?: (resources: ResourceDeclaration[]) => Record<string, JsonSchema>
  /** Resources whose record schema it refers to: in the components even when the resource offers nothing. */
  uses?: string[]
}

/** The platform's contributions: `first` go before the resources (tags and paths), `last` after the contexts'. */
export interface PlatformContributions {
  first?: OpenApiContribution[]
  last?: OpenApiContribution[]
}

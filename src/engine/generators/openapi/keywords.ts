// The JSON Schema keywords OpenAPI 3.0 has no place for, sorted into those that only annotate (safe to leave
// out) and those that constrain: a constraint the document cannot carry must fail the build, not vanish, or
// the published contract would promise less than the server checks.
import type { JsonSchema } from '../../declarations/field-types'

/** Identifiers and notes: dropping them changes nothing a client may send. */
const ANNOTATION_ONLY = new Set(['$id', '$schema', '$comment', 'examples', 'definitions', '$defs'])
/** Converted by openApiSchema itself (`const` becomes a one-value `enum`). */
const CONVERTED = new Set(['const'])

/** The converter's answer for a keyword outside OpenAPI 3.0's Schema Object: nothing, or an error. */
export const checkConvertible = (key: string): JsonSchema => {
  if (ANNOTATION_ONLY.has(key) || CONVERTED.has(key)) return {}
  throw new Error(
    `The JSON schema keyword '${key}' has no OpenAPI 3.0 equivalent; the document would not state it. ` +
      'Express the rule with the keywords of src/engine/generators/openapi/schema.ts (KEYWORDS), or convert it there.'
  )
}

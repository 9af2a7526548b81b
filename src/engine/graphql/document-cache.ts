import { LRUCache } from 'lru-cache'
import {
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
  type Source,
  type ValidationRule
} from 'graphql'

export interface DocumentCacheLimits {
  /** Documents kept at most; 0 turns the cache off. */
  entries: number
  /** Memory the kept documents may take at most, in bytes, as estimated from their text (`MEMORY_PER_BYTE`). */
  bytes: number
}

interface Entry {
  document: DocumentNode
  /** The errors of each rule set it was validated with (one rule set per configuration: `graphqlRules`). */
  validated: Map<readonly ValidationRule[], readonly GraphQLError[]>
}

// A parsed document takes about 100 times its text in memory (graphql 16: 9.5 KB for a 94-byte query, 1.2 MB
// for a 14.6 KB one, its nodes, locations and tokens), whatever its shape.
const MEMORY_PER_BYTE = 100

// Rule sets differ only when the configuration does (limits, introspection, an Idempotency-Key): a handful.
const MAX_RULE_SETS = 8

/**
 * Parsed and validated documents, by their exact text, most recently used first. A client sends the same few
 * operations again and again (only their variables change), and parsing and validating one costs more than
 * running it. Parsing and validation are pure functions of the text, the schema and the rule set, so a kept
 * answer is the one a fresh run would give: a refused document is refused again with the same errors. Syntax
 * errors are not kept (they are cheap to find again). Bounded in entries and in memory, so clients sending
 * new documents only push old ones out.
 */
export class DocumentCache {
  private readonly entries?: LRUCache<string, Entry>

  constructor(
    private readonly schema: GraphQLSchema,
    { entries, bytes }: DocumentCacheLimits
  ) {
    if (entries > 0 && bytes > 0)
      this.entries = new LRUCache<string, Entry>({
        max: entries,
        maxSize: bytes,
        sizeCalculation: (_entry, text) => MEMORY_PER_BYTE * Math.max(1, Buffer.byteLength(text))
      })
  }

  /** graphql-js's `parse`, answered from the cache when the same text was parsed before. */
  parse = (text: string | Source): DocumentNode => {
    if (typeof text !== 'string') return parse(text)
    const kept = this.entries?.get(text)
    if (kept) return kept.document
    const document = parse(text)
    this.entries?.set(text, { document, validated: new Map() })
    return document
  }

  /**
   * graphql-js's `validate`. The document's text (`loc.source`, which `parse` records) is the key: graphql-ws
   * parses on its own, and the same text gives the same tree. The rule set is compared by identity, so callers
   * pass the same array while the configuration holds.
   */
  validate = (
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: readonly ValidationRule[] = specifiedRules
  ): readonly GraphQLError[] => {
    const text = document.loc?.source.body
    if (!this.entries || schema !== this.schema || text === undefined)
      return validate(schema, document, rules)
    let entry = this.entries.get(text)
    if (!entry) {
      entry = { document, validated: new Map() }
      this.entries.set(text, entry)
    }
    const kept = entry.validated.get(rules)
    if (kept) return kept
    const errors = validate(schema, document, rules)
    if (entry.validated.size >= MAX_RULE_SETS) entry.validated.clear()
    entry.validated.set(rules, errors)
    return errors
  }

  /** Documents kept now. */
  get size() {
    return this.entries?.size ?? 0
  }

  /** Memory the kept documents take now, as estimated from their text. */
  get bytes() {
    return this.entries?.calculatedSize ?? 0
  }
}

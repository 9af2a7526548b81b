import type { ResourceDeclaration } from './declaration'
import type { Problem } from './check'

export const VOCABULARIES_FILE = '_vocabularies.yaml'

/** A short list several declarations share (`currencies`), with optional per-value attributes. */
export interface Vocabulary {
  name: string
  description?: string
  values: string[]
  /** attribute -> value -> its setting: `digits: { KRW: 0, USD: 2 }`. */
  attributes: Record<string, Record<string, string | number | boolean>>
}

const NAME = '^[a-z][a-zA-Z0-9]*$'

/** JSON Schema of `_vocabularies.yaml`. */
export const vocabulariesMetaSchema = {
  $id: 'vocabularies-declaration',
  type: 'object',
  additionalProperties: false,
  required: ['vocabularies'],
  properties: {
    vocabularies: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: NAME },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['values'],
        properties: {
          description: { type: 'string', minLength: 1 },
          values: {
            type: 'array',
            minItems: 1,
            uniqueItems: true,
            items: { type: 'string', minLength: 1 }
          },
          attributes: {
            type: 'object',
            propertyNames: { pattern: NAME },
            additionalProperties: {
              type: 'object',
              additionalProperties: { type: ['string', 'number', 'boolean'] }
            }
          }
        }
      }
    }
  }
}

/** The vocabularies of a `_vocabularies.yaml` (already valid against its schema), and what is wrong in them. */
export const readVocabularies = (raw: any, file: string) => {
  const problems: Problem[] = []
  const vocabularies = Object.entries<any>(raw.vocabularies).map(([name, entry]): Vocabulary => ({
    name,
    description: entry.description,
    values: entry.values,
    attributes: entry.attributes ?? {}
  }))
  // An attribute names a setting for every value, and only for the values.
  for (const { name, values, attributes } of vocabularies) {
    for (const [attribute, settings] of Object.entries(attributes)) {
      const at = ['vocabularies', name, 'attributes', attribute]
      const missing = values.filter((value) => !Object.hasOwn(settings, value))
      if (missing.length)
        problems.push({ file, pointer: at, message: `no ${attribute} for ${missing.join(', ')}` })
      for (const value of Object.keys(settings).filter((value) => !values.includes(value)))
        problems.push({ file, pointer: [...at, value], message: `'${value}' is not a value of ${name}` })
    }
  }
  return { vocabularies, problems }
}

/**
 * Replaces `values: <vocabulary>` on enum fields by the vocabulary's values, so everything after loading sees a
 * plain list (the column and the enum are those of the list written out), and names every unknown vocabulary.
 */
export const resolveVocabularies = (
  resources: ResourceDeclaration[],
  vocabularies: Vocabulary[]
): Problem[] => {
  const byName = new Map(vocabularies.map((vocabulary) => [vocabulary.name, vocabulary]))
  const problems: Problem[] = []
  for (const resource of resources) {
    for (const [name, field] of Object.entries(resource.fields)) {
      const named = field.values as unknown
      if (typeof named !== 'string') continue
      const vocabulary = byName.get(named)
      if (vocabulary) field.values = [...vocabulary.values]
      else {
        const known = vocabularies.map((v) => v.name).join(', ') || 'none'
        problems.push({
          file: resource.file,
          pointer: ['fields', name, 'values'],
          message: `unknown vocabulary '${named}' (declared in ${VOCABULARIES_FILE}: ${known})`
        })
      }
    }
  }
  return problems
}

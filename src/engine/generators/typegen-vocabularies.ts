// Vocabularies in, src/generated/vocabularies.ts out: each shared list (`_vocabularies.yaml`) as a constant,
// its type, and one table per attribute, so server code and the UI import the list instead of repeating it.
import type { Vocabulary } from '../declarations/vocabularies'
import { GENERATED_HEADER, typeName } from './type-names'

const words = (name: string) => name.split(/(?=[A-Z])/).map((word) => word.toLowerCase())
const constant = (parts: string[]) => parts.map((word) => word.toUpperCase()).join('_')

/** currencies -> CURRENCIES, Currency, CURRENCY_<ATTRIBUTE>; paymentMethods -> PAYMENT_METHODS, PaymentMethod, … */
export const vocabularyNames = (vocabulary: Vocabulary) => {
  const type = typeName(words(vocabulary.name).join('-'))
  const singular = words(type[0].toLowerCase() + type.slice(1))
  return {
    list: constant(words(vocabulary.name)),
    type,
    attribute: (attribute: string) => constant([...singular, ...words(attribute)])
  }
}

const quote = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
const literal = (value: string | number | boolean) =>
  typeof value === 'string' ? quote(value) : String(value)

const printVocabulary = (vocabulary: Vocabulary) => {
  const names = vocabularyNames(vocabulary)
  const doc = vocabulary.description ? `/** ${vocabulary.description.replace(/\*\//g, '*\\/')} */\n` : ''
  const tables = Object.entries(vocabulary.attributes).map(([attribute, settings]) => {
    const kinds = [...new Set(vocabulary.values.map((value) => typeof settings[value]))].join(' | ')
    const entries = vocabulary.values.map((value) => `${quote(value)}: ${literal(settings[value])}`)
    return (
      `/** \`${attribute}\` of each value of ${names.list}. */\n` +
      `export const ${names.attribute(attribute)}: Readonly<Record<${names.type}, ${kinds}>> = { ${entries.join(', ')} }`
    )
  })
  return [
    `${doc}export const ${names.list} = [${vocabulary.values.map(quote).join(', ')}] as const`,
    `/** One of ${names.list}. */\nexport type ${names.type} = (typeof ${names.list})[number]`,
    ...tables
  ].join('\n\n')
}

/** The text of src/generated/vocabularies.ts: plain constants, safe to import in the browser. */
export const generateVocabularies = (vocabularies: Vocabulary[]): string =>
  `${GENERATED_HEADER}\n\n${vocabularies.length ? vocabularies.map(printVocabulary).join('\n\n') : 'export {}'}\n`

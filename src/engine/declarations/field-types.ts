import type { FieldDeclaration, FieldTypeName } from './declaration'

export type JsonSchema = Record<string, unknown>

/** The database column a field becomes; the migration diff compares these. */
export interface ColumnSpec {
  kind: 'increments' | 'string' | 'text' | 'integer' | 'double' | 'boolean' | 'timestamptz' | 'jsonb'
  length?: number
}

export interface FieldType {
  /** JSON Schema of the value as clients send and receive it. */
  schema: (field: FieldDeclaration) => JsonSchema
  column: (field: FieldDeclaration) => ColumnSpec
  /** Query operators a declared filter on this type accepts (besides plain equality). */
  operators: string[]
  /** Set by the server only (never part of create or patch data). */
  managed?: boolean
  /** Column default the database applies when the server does not set the value. */
  columnDefault?: string
}

/** The range of a PostgreSQL `integer` column (ids, references, versions and integer fields). */
export const INTEGER_MIN = -2147483648
export const INTEGER_MAX = 2147483647

const comparable = ['$in', '$nin', '$ne', '$lt', '$lte', '$gt', '$gte']
const equality = ['$in', '$nin', '$ne']

const stringSchema = (field: FieldDeclaration): JsonSchema => ({
  type: 'string',
  ...(field.minLength !== undefined && { minLength: field.minLength }),
  ...(field.maxLength !== undefined && { maxLength: field.maxLength }),
  ...(field.pattern !== undefined && { pattern: field.pattern }),
  ...(field.format !== undefined && { format: field.format })
})

const numberSchema = (field: FieldDeclaration) => ({
  type: 'number',
  ...(field.min !== undefined && { minimum: field.min }),
  ...(field.max !== undefined && { maximum: field.max })
})

/** An integer column's values: the declared bounds within the column's range. */
const integerSchema = (field: FieldDeclaration) => ({
  type: 'integer',
  minimum: Math.max(field.min ?? INTEGER_MIN, INTEGER_MIN),
  maximum: Math.min(field.max ?? INTEGER_MAX, INTEGER_MAX)
})

/** Ids, references and versions: positive integers that fit their column. */
const positiveInteger = () => ({ type: 'integer', minimum: 1, maximum: INTEGER_MAX })

/** ISO date-times PostgreSQL can store: year 0000 does not exist there (1 BC is 0001 BC). */
const dateTimeSchema = () => ({ type: 'string', format: 'date-time', pattern: '^(?!0000)' })

const timestamp: FieldType = {
  schema: dateTimeSchema,
  column: () => ({ kind: 'timestamptz' }),
  operators: comparable,
  managed: true,
  columnDefault: 'now()'
}

/** One entry per declared field type: adding a type is adding an entry here. */
export const fieldTypes: Record<FieldTypeName, FieldType> = {
  id: {
    schema: positiveInteger,
    column: () => ({ kind: 'increments' }),
    operators: comparable,
    managed: true
  },
  string: {
    // The column is varchar(maxLength ?? 255): the schema says so even when the declaration does not.
    schema: (field) => stringSchema({ ...field, maxLength: field.maxLength ?? 255 }),
    column: (field) => ({ kind: 'string', length: Math.max(field.maxLength ?? 255, 1) }),
    operators: comparable
  },
  text: {
    schema: stringSchema,
    column: () => ({ kind: 'text' }),
    operators: equality
  },
  password: {
    schema: (field) => ({
      type: 'string',
      minLength: field.minLength ?? 8,
      maxLength: field.maxLength ?? 128
    }),
    column: () => ({ kind: 'string', length: 255 }),
    operators: []
  },
  integer: { schema: integerSchema, column: () => ({ kind: 'integer' }), operators: comparable },
  number: { schema: numberSchema, column: () => ({ kind: 'double' }), operators: comparable },
  boolean: { schema: () => ({ type: 'boolean' }), column: () => ({ kind: 'boolean' }), operators: ['$ne'] },
  enum: {
    schema: (field) => ({ type: 'string', enum: field.values ?? [] }),
    column: (field) => ({
      kind: 'string',
      length: Math.max(64, ...(field.values ?? []).map((v) => v.length))
    }),
    operators: equality
  },
  'date-time': {
    schema: dateTimeSchema,
    column: () => ({ kind: 'timestamptz' }),
    operators: comparable
  },
  json: {
    schema: (field) => field.schema ?? {},
    column: () => ({ kind: 'jsonb' }),
    operators: []
  },
  ref: {
    schema: positiveInteger,
    column: () => ({ kind: 'integer' }),
    operators: equality
  },
  createdAt: timestamp,
  updatedAt: timestamp,
  version: {
    schema: positiveInteger,
    column: () => ({ kind: 'integer' }),
    operators: [],
    managed: true,
    columnDefault: '1'
  }
}

/** `$ilike` is only offered on fields declared `search: true`. */
export const operatorsFor = (field: FieldDeclaration) =>
  field.search ? [...fieldTypes[field.type].operators, '$ilike'] : fieldTypes[field.type].operators

import pg from 'pg'
import { types as pgliteTypes } from '@electric-sql/pglite'

// PostgreSQL and PGlite must hand the same JSON types to the app: int8 (counts, sums) as numbers,
// numeric as numbers, and timestamps as ISO strings in UTC whatever the session time zone.
const toNumber = (value: string) => (value === null ? null : Number(value))
const toIsoString = (value: string) => (value === null ? null : new Date(value).toISOString())

export const typeParsers: Record<number, (value: string) => unknown> = {
  [pgliteTypes.INT8]: toNumber,
  [pgliteTypes.NUMERIC]: toNumber,
  [pgliteTypes.TIMESTAMPTZ]: toIsoString,
  [pgliteTypes.TIMESTAMP]: toIsoString
}

let pgTypesPinned = false
export const pinPgTypes = () => {
  if (pgTypesPinned) return
  for (const [oid, parse] of Object.entries(typeParsers)) pg.types.setTypeParser(Number(oid), parse)
  pgTypesPinned = true
}

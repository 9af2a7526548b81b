import pg from 'pg'

// PostgreSQL and PGlite must hand the same JSON types to the app: int8 (counts, sums) as numbers,
// numeric as numbers, and timestamps as ISO strings in UTC whatever the session time zone.
const toNumber = (value: string) => (value === null ? null : Number(value))
const toIsoString = (value: string) => (value === null ? null : new Date(value).toISOString())

// The OIDs are PostgreSQL's, the same in both (pg's list, so PGlite's module need not load on PostgreSQL).
const { INT8, NUMERIC, TIMESTAMPTZ, TIMESTAMP } = pg.types.builtins
export const typeParsers: Record<number, (value: string) => unknown> = {
  [INT8]: toNumber,
  [NUMERIC]: toNumber,
  [TIMESTAMPTZ]: toIsoString,
  [TIMESTAMP]: toIsoString
}

let pgTypesPinned = false
export const pinPgTypes = () => {
  if (pgTypesPinned) return
  for (const [oid, parse] of Object.entries(typeParsers)) pg.types.setTypeParser(Number(oid), parse)
  pgTypesPinned = true
}

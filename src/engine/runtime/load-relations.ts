import type { Knex } from 'knex'
import type { ResourceDeclaration } from '../declarations/declaration'
import type { Relation } from '../declarations/relations'

type Row = Record<string, any>

/**
 * The related rows of a page of records, in one query per relation: for belongsTo the records referred to
 * (by id), for hasMany the records referring to them (in id order). `readable` decides which rows the caller
 * may see; `mask` strips what they may not; a relation declared with `fields` keeps only those (and the id).
 */
export const attachRelation = async (
  db: Knex | Knex.Transaction,
  records: Row[],
  relation: Relation,
  related: ResourceDeclaration,
  readable: (row: Row) => boolean,
  mask: (row: Row) => Row
) => {
  const key = relation.kind === 'belongsTo' ? relation.field : 'id'
  const ids = [
    ...new Set(records.map((record) => record[key]).filter((id) => id !== null && id !== undefined))
  ]
  const column = relation.kind === 'belongsTo' ? 'id' : relation.field
  const rows: Row[] = ids.length ? await db(related.table).whereIn(column, ids).orderBy('id') : []
  const project = (record: Row) =>
    relation.fields
      ? Object.fromEntries(
          Object.entries(record).filter(([name]) => name === 'id' || relation.fields!.includes(name))
        )
      : record
  const visible = rows.filter(readable).map((row) => ({ key: row[column], record: project(mask(row)) }))
  for (const record of records) {
    const matching = visible.filter((row) => row.key === record[key]).map((row) => row.record)
    record[relation.name] = relation.kind === 'belongsTo' ? (matching[0] ?? null) : matching
  }
}

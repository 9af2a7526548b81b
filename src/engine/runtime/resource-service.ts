import { Conflict, NotFound } from '@feathersjs/errors'
import type { Id, NullableId, Paginated, PaginationOptions } from '@feathersjs/feathers'
import { KnexService, errorHandler, type KnexAdapterOptions, type KnexAdapterParams } from '@feathersjs/knex'
import type { TotalsCache } from '../../database/totals-cache'
import type { ResourceDeclaration } from '../declarations/declaration'
import { fieldTypes } from '../declarations/field-types'

type Row = Record<string, any>

/** A written row as a caller with `$select` asked for it (the id always included, as the adapter does). */
const selected = (row: Row, select?: string[]) =>
  select
    ? Object.fromEntries(Object.entries(row).filter(([name]) => name === 'id' || select.includes(name)))
    : row

/**
 * The @feathersjs/knex service with what declarations add: `update` replaces only client fields (server-set
 * ones such as createdAt survive), `version` is an optimistic-concurrency precondition, `softDelete`
 * turns remove into setting `deletedAt`, and a page's total comes from the totals cache when still exact.
 */
export class ResourceService extends KnexService<Row, Row, KnexAdapterParams, Row> {
  constructor(
    options: KnexAdapterOptions,
    readonly resource: ResourceDeclaration,
    private readonly totals?: TotalsCache
  ) {
    super(options)
  }

  /**
   * The adapter's page (same queries and shape), with the rows and the total fetched at once and the total
   * from the totals cache outside transactions (a transaction may see its own uncommitted rows).
   */
  async _find(params?: KnexAdapterParams & { paginate?: PaginationOptions }): Promise<Paginated<Row>>
  async _find(params?: KnexAdapterParams & { paginate: false }): Promise<Row[]>
  async _find(params?: KnexAdapterParams): Promise<Paginated<Row> | Row[]>
  async _find(params: KnexAdapterParams = {}): Promise<Paginated<Row> | Row[]> {
    const { filters, paginate } = this.filterQuery(params)
    if (!paginate || !paginate.default) return super._find({ ...params, paginate: false })
    const { name, id } = this.getOptions(params)
    const builder = params.knex ? params.knex.clone() : this.createQuery(params)
    const counting = builder.clone().clearSelect().clearOrder().count(`${name}.${id} as total`)
    if (filters.$limit) builder.limit(filters.$limit)
    if (filters.$skip) builder.offset(filters.$skip)
    const count = async () => {
      const rows: Row[] = await counting.catch(errorHandler)
      return parseInt(rows[0]?.total ?? 0)
    }
    const { sql, bindings } = counting.toSQL()
    const [data, total] = await Promise.all([
      filters.$limit === 0 ? [] : (builder.catch(errorHandler) as Promise<Row[]>),
      this.totals && !params.transaction ? this.totals.total(sql, bindings, count) : count()
    ])
    return { total, limit: filters.$limit, skip: filters.$skip || 0, data }
  }

  /** One `INSERT … RETURNING *` instead of the adapter's insert followed by a select of the new row. */
  async _create(data: Row, params?: KnexAdapterParams): Promise<Row>
  async _create(data: Row[], params?: KnexAdapterParams): Promise<Row[]>
  async _create(data: Row | Row[], params?: KnexAdapterParams): Promise<Row | Row[]>
  async _create(data: Row | Row[], params: KnexAdapterParams = {}): Promise<Row | Row[]> {
    if (Array.isArray(data)) return Promise.all(data.map((record) => this._create(record, params)))
    const [row] = (await this.db(params).insert(data, '*').catch(errorHandler)) as Row[]
    return selected(row, params.query?.$select)
  }

  async _update(id: Id, data: Row, params: KnexAdapterParams = {}): Promise<Row> {
    const replacement: Row = {}
    for (const [name, field] of Object.entries(this.resource.fields)) {
      if (fieldTypes[field.type].managed && field.type !== 'updatedAt') continue
      // Input-only: no column to replace (to-storage dropped what was sent).
      if (field.virtual) continue
      // A replacement keeps its owner and the fields the client may not write.
      if ((field.owner || field.readonly) && data[name] === undefined) continue
      replacement[name] = data[name] !== undefined ? data[name] : (field.default ?? null)
      if (field.type === 'json' && data[name] === undefined && field.default !== undefined) {
        replacement[name] = JSON.stringify(field.default)
      }
    }
    // `version`, when sent, is the precondition _patch checks (a stale one is a 409), as on a patch.
    if (data.version !== undefined) replacement.version = data.version
    return this._patch(id, replacement, params) as Promise<Row>
  }

  async _patch(id: null, data: Row, params?: KnexAdapterParams): Promise<Row[]>
  async _patch(id: Id, data: Row, params?: KnexAdapterParams): Promise<Row>
  async _patch(id: NullableId, data: Row, params?: KnexAdapterParams): Promise<Row | Row[]>
  async _patch(id: NullableId, raw: Row, params: KnexAdapterParams = {}): Promise<Row | Row[]> {
    const { version, ...data } = raw
    if (!this.resource.fields.version) return this.patchRows(id, raw, params)
    if (version === undefined || id === null) {
      return this.patchRows(
        id,
        { ...data, version: this.db(params).client.raw('?? + 1', ['version']) },
        params
      )
    }
    const query = { ...params.query, version }
    try {
      return await this.patchRows(id, { ...data, version: version + 1 }, { ...params, query })
    } catch (error) {
      if (!(error instanceof NotFound)) throw error
      const current = await this._get(id, params)
      throw new Conflict(`version ${version} is stale; the current version is ${current.version}`, {
        field: 'version',
        current: current.version
      })
    }
  }

  /**
   * One record: one `UPDATE … WHERE id AND <the caller's query> RETURNING *`. The adapter would select the ids,
   * update, then select the rows again: three statements for the same answer. Several records: the adapter.
   */
  private async patchRows(id: NullableId, data: Row, params: KnexAdapterParams): Promise<Row | Row[]> {
    if (id === null) return super._patch(id, data, params)
    const { name, id: idField } = this.getOptions(params)
    const { $select, ...query } = params.query ?? {}
    const builder = this.createQuery({ ...params, query: { ...query, [`${name}.${idField}`]: id } })
    const { [idField as string]: _id, ...changes } = data
    const rows = (await builder.update(changes, '*').catch(errorHandler)) as Row[]
    if (rows.length !== 1) throw new NotFound(`No record found for id '${id}'`)
    return selected(rows[0], $select)
  }

  async _remove(id: null, params?: KnexAdapterParams): Promise<Row[]>
  async _remove(id: Id, params?: KnexAdapterParams): Promise<Row>
  async _remove(id: NullableId, params?: KnexAdapterParams): Promise<Row | Row[]>
  async _remove(id: NullableId, params: KnexAdapterParams = {}): Promise<Row | Row[]> {
    if (!this.resource.softDelete) return super._remove(id, params)
    return this.patchRows(id, { deletedAt: new Date().toISOString() }, params)
  }
}

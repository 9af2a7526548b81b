import type { TableChanges } from './table-changes'

const MAX_ENTRIES = 5_000
const TABLES_READ = /\b(?:from|join)\s+"?(\w+)"?/gi

/** The tables a (count) query reads. */
export const tablesRead = (sql: string) => [...new Set([...sql.matchAll(TABLES_READ)].map((m) => m[1]))]

interface Entry {
  total: number
  stamp: string
  expiresAt: number
}

/**
 * The `total` of a page costs a COUNT over every matching row, much more than the page itself (2 ms against
 * 0.02 ms for 10,000 products). Totals are kept per exact count query (SQL and values, the caller's row
 * scope included) and are exact: an entry holds the change generations of the tables it read, and any write
 * to one of them — seen by TableChanges when its transaction ends, or heard from another instance — makes it
 * stale. While a write to a table is uncommitted, its totals are neither trusted nor stored, and a count that
 * raced a change is not stored either. `ttlMs` bounds what nothing here can see: writes by other programs on
 * the same database. 0 turns the cache off.
 */
export class TotalsCache {
  private entries = new Map<string, Entry>()
  private generations = new Map<string, number>()

  constructor(
    private readonly ttlMs: number,
    private readonly changes: TableChanges
  ) {
    changes.onChange((tables) => this.changed(tables))
  }

  /** The total for `sql` with `bindings`, from the cache when still exact, else from `count()`. */
  async total(sql: string, bindings: readonly unknown[], count: () => Promise<number>): Promise<number> {
    if (this.ttlMs <= 0) return count()
    const key = `${sql}\u0000${JSON.stringify(bindings)}`
    const tables = tablesRead(sql)
    const stamp = this.stamp(tables)
    const entry = this.entries.get(key)
    if (entry && entry.stamp === stamp && Date.now() < entry.expiresAt) return entry.total
    const total = await count()
    if (stamp !== undefined && this.stamp(tables) === stamp) {
      this.entries.delete(key)
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!)
      this.entries.set(key, { total, stamp, expiresAt: Date.now() + this.ttlMs })
    }
    return total
  }

  /** Tables changed (here or on another instance): every total that read them is stale. */
  changed(tables: string[]) {
    for (const table of tables) this.generations.set(table, (this.generations.get(table) ?? 0) + 1)
  }

  get size() {
    return this.entries.size
  }

  /** The tables' generations, or undefined while one of them has an uncommitted write. */
  private stamp(tables: string[]) {
    if (tables.some((table) => this.changes.isBeingWritten(table))) return undefined
    return tables.map((table) => this.generations.get(table) ?? 0).join(',')
  }
}

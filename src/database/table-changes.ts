import type { Knex } from 'knex'

// knex writes `insert into "t"`, `update "t"`, `delete from "t"`; behaviours' raw SQL may leave names unquoted.
const WRITE = /^\s*(?:insert\s+into|update|delete\s+from|truncate(?:\s+table)?)\s+(?:only\s+)?"?(\w+)"?/i
const END = /^\s*(?:commit|rollback)\b/i

/** The table a statement writes, if it writes one. */
export const tableWritten = (sql: string) => WRITE.exec(sql)?.[1]

/** How long after its COMMIT is sent a transaction not started through `transaction` counts as ended. */
export const UNTRACKED_END_MS = 1_000

/**
 * Which tables change, seen on the knex instance itself, so that services, behaviours and raw statements
 * all count. A table is "being written" from a statement's start until its answer, or in a transaction
 * until the transaction has ended (`transaction` below); then its listeners hear that it changed. knex
 * reports no answer to a COMMIT, so a transaction not started through `transaction` (the migrator's) counts as
 * ended UNTRACKED_END_MS after its COMMIT or ROLLBACK was sent.
 */
export class TableChanges {
  private writers = new Map<string, number>()
  private statements = new Map<string, string>()
  private transactions = new Map<string, Set<string>>()
  private tracked = new Set<string>()
  private listeners: ((tables: string[]) => void)[] = []

  constructor(knex: Knex) {
    knex.on('query', (query: any) => {
      const table = tableWritten(query.sql)
      if (!table) {
        if (query.__knexTxId && !this.tracked.has(query.__knexTxId) && END.test(query.sql))
          setTimeout(() => this.endTransaction(query.__knexTxId), UNTRACKED_END_MS).unref()
        return
      }
      if (!query.__knexTxId) {
        this.statements.set(query.__knexQueryUid, table)
        this.start(table)
        return
      }
      const tables = this.transactions.get(query.__knexTxId) ?? new Set<string>()
      this.transactions.set(query.__knexTxId, tables)
      if (!tables.has(table)) {
        tables.add(table)
        this.start(table)
      }
    })
    const answered = (query: any) => {
      const table = this.statements.get(query?.__knexQueryUid)
      if (!table) return
      this.statements.delete(query.__knexQueryUid)
      this.end([table])
    }
    knex.on('query-response', (_response: unknown, query: unknown) => answered(query))
    knex.on('query-error', (_error: unknown, query: unknown) => answered(query))
  }

  /** Whether an uncommitted write to the table may be in flight. */
  isBeingWritten(table: string) {
    return (this.writers.get(table) ?? 0) > 0
  }

  /** `listener(tables)` after each statement or transaction that wrote them has ended (committed or not). */
  onChange(listener: (tables: string[]) => void) {
    this.listeners.push(listener)
  }

  /** `knex.transaction(work)`, telling this tracker when it has ended so that its writes count as changes. */
  async transaction<T>(knex: Knex, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    let txId: string | undefined
    try {
      return await knex.transaction(async (trx) => {
        // The first statement after BEGIN names the transaction, before its COMMIT can be sent.
        ;(trx as any).on('query', (query: any) => {
          if (txId) return
          txId = query.__knexTxId
          this.tracked.add(txId!)
        })
        return work(trx)
      })
    } finally {
      if (txId) {
        this.tracked.delete(txId)
        this.endTransaction(txId)
      }
    }
  }

  private endTransaction(txId: string) {
    const tables = this.transactions.get(txId)
    if (!tables) return
    this.transactions.delete(txId)
    this.end([...tables])
  }

  private start(table: string) {
    this.writers.set(table, (this.writers.get(table) ?? 0) + 1)
  }

  private end(tables: string[]) {
    for (const table of tables) {
      const left = (this.writers.get(table) ?? 1) - 1
      if (left > 0) this.writers.set(table, left)
      else this.writers.delete(table)
    }
    for (const listener of this.listeners) listener(tables)
  }
}

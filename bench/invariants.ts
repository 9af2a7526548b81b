import pg from 'pg'

export interface StockCheck {
  products: number
  orders: number
  negative: number
  /** products.stock differs from the sum of its ledger entries. */
  offLedger: number
  /** stock + reserved (lines of orders not cancelled) differs from what was received: oversold or lost. */
  oversold: number
}

/** After the order runs: no product below zero, the ledger agrees, and stock + reserved == received. */
export const checkStock = async (databaseUrl: string): Promise<StockCheck> => {
  const db = new pg.Client({ connectionString: databaseUrl })
  await db.connect()
  try {
    const { rows } = await db.query(`
      WITH ledger AS (
        SELECT "productId", sum(quantity) AS total, sum(quantity) FILTER (WHERE kind = 'receive') AS received
        FROM inventory GROUP BY "productId"
      ), reserved AS (
        SELECT i."productId", sum(i.quantity) AS quantity
        FROM order_items i JOIN orders o ON o.id = i."orderId"
        WHERE o.status <> 'cancelled' GROUP BY i."productId"
      )
      SELECT count(*)::int AS products,
             (SELECT count(*)::int FROM orders) AS orders,
             count(*) FILTER (WHERE p.stock < 0)::int AS negative,
             count(*) FILTER (WHERE p.stock <> coalesce(l.total, 0))::int AS "offLedger",
             count(*) FILTER (WHERE p.stock + coalesce(r.quantity, 0) <> coalesce(l.received, 0))::int AS oversold
      FROM products p LEFT JOIN ledger l ON l."productId" = p.id LEFT JOIN reserved r ON r."productId" = p.id`)
    return rows[0]
  } finally {
    await db.end()
  }
}

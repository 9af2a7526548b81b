import type pg from 'pg'

// The baseline's SQL: what the API's adapter and behaviours run for the same requests, minus the
// framework. Authentication and authorization queries are not repeated: their cost is part of what the
// benchmark shows.

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message)
  }
}

/** `GET /products/:id`: anonymous callers and customers see active products only. */
export const productById = async (db: pg.Pool, id: number) => {
  const { rows } = await db.query('SELECT * FROM products WHERE id = $1 AND status = $2 LIMIT 1', [
    id,
    'active'
  ])
  if (!rows[0]) throw new HttpError(404, `No record found for id '${id}'`)
  return rows[0]
}

/**
 * `GET /products?status=…&priceCents[$gte]=…&$limit=…`: a page in id order (the API's default sort, for
 * stable pages), then the total — the adapter's two queries, in its order.
 */
export const productPage = async (
  db: pg.Pool,
  status: string,
  minPrice: number,
  limit: number,
  skip: number
) => {
  const where = 'FROM products WHERE status = $1 AND "priceCents" >= $2'
  const { rows: data } = await db.query(`SELECT * ${where} ORDER BY id LIMIT $3 OFFSET $4`, [
    status,
    minPrice,
    limit,
    skip
  ])
  const { rows } = await db.query(`SELECT count(products.id) AS total ${where}`, [status, minPrice])
  return { total: Number(rows[0].total), limit, skip, data }
}

/** `GET /orders/:id` for its owner, with its lines. */
export const orderById = async (db: pg.Pool, id: number, userId: number) => {
  const { rows } = await db.query('SELECT * FROM orders WHERE id = $1 AND "userId" = $2 LIMIT 1', [
    id,
    userId
  ])
  if (!rows[0]) throw new HttpError(404, `No record found for id '${id}'`)
  const { rows: items } = await db.query(
    'SELECT * FROM order_items WHERE "orderId" = $1 AND "userId" = $2 ORDER BY id',
    [id, userId]
  )
  return { ...rows[0], items }
}

interface Line {
  productId: number
  quantity: number
}

/**
 * `POST /orders`: price the lines, write the order and its lines, reserve stock with one conditional
 * update per product and record it in the ledger — one transaction, products in id order (no deadlocks).
 */
export const createOrder = async (db: pg.Pool, userId: number, items: Line[]) => {
  const lines = [...items].sort((a, b) => a.productId - b.productId)
  const client = await db.connect()
  try {
    await client.query('BEGIN')
    const { rows: products } = await client.query('SELECT * FROM products WHERE id = ANY($1)', [
      lines.map((line) => line.productId)
    ])
    const priced = lines.map((line) => {
      const product = products.find((p) => p.id === line.productId)
      if (product?.status !== 'active') throw new HttpError(400, `${line.productId} is not an active product`)
      return { ...line, product, total: product.priceCents * line.quantity }
    })
    const totalCents = priced.reduce((sum, line) => sum + line.total, 0)
    const {
      rows: [order]
    } = await client.query(
      'INSERT INTO orders ("userId", status, "totalCents", currency, "refundedCents") VALUES ($1, $2, $3, $4, 0) RETURNING *',
      [userId, 'pending', totalCents, priced[0].product.currency]
    )
    const order_items = []
    for (const { product, quantity, total } of priced) {
      const { rows } = await client.query(
        `INSERT INTO order_items ("orderId", "userId", "productId", sku, name, quantity, "unitPriceCents", "lineTotalCents")
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
        [order.id, userId, product.id, product.sku, product.name, quantity, product.priceCents, total]
      )
      order_items.push(rows[0])
      const { rows: moved } = await client.query(
        'UPDATE products SET stock = stock - $2, "updatedAt" = now() WHERE id = $1 AND stock - $2 >= 0 RETURNING stock',
        [product.id, quantity]
      )
      if (!moved[0]) throw new HttpError(409, `Insufficient stock for product ${product.id}`)
      await client.query(
        `INSERT INTO inventory ("productId", kind, quantity, "orderId", "actorId", "stockAfter")
         VALUES ($1, 'reserve', $2, $3, $4, $5)`,
        [product.id, -quantity, order.id, userId, moved[0].stock]
      )
    }
    await client.query('COMMIT')
    return { ...order, items: order_items }
  } catch (error) {
    await client.query('ROLLBACK')
    throw error
  } finally {
    client.release()
  }
}

/** `PATCH /products/:id` (the fan-out's writer). */
export const patchProduct = async (db: pg.Pool, id: number, description: string) => {
  const { rows } = await db.query(
    'UPDATE products SET description = $2, "updatedAt" = now() WHERE id = $1 RETURNING *',
    [id, description]
  )
  if (!rows[0]) throw new HttpError(404, `No record found for id '${id}'`)
  return rows[0]
}

/**
 * GraphQL `orders(limit: 10, orderBy: createdAt DESC) { total data { … items { … product { id name } } } }` for
 * its owner: the page, its total, then the lines and their products in one query each (as DataLoader batches).
 */
export const orderPageWithLines = async (db: pg.Pool, userId: number) => {
  const { rows: orders } = await db.query(
    'SELECT * FROM orders WHERE "userId" = $1 ORDER BY "createdAt" DESC, id LIMIT 10',
    [userId]
  )
  const { rows: counted } = await db.query('SELECT count(*)::int AS total FROM orders WHERE "userId" = $1', [
    userId
  ])
  const ids = orders.map((order) => order.id)
  const { rows: lines } = await db.query('SELECT * FROM order_items WHERE "orderId" = ANY($1)', [ids])
  const { rows: products } = await db.query('SELECT id, name FROM products WHERE id = ANY($1)', [
    [...new Set(lines.map((line) => line.productId))]
  ])
  const productOf = new Map(products.map((product) => [product.id, product]))
  const data = orders.map(({ id, status, totalCents, currency }) => ({
    id,
    status,
    totalCents,
    currency,
    items: lines
      .filter((line) => line.orderId === id)
      .map(({ quantity, lineTotalCents, productId }) => ({
        quantity,
        lineTotalCents,
        product: productOf.get(productId)
      }))
  }))
  return { orders: { total: counted[0].total, data } }
}

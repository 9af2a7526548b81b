import pg from 'pg'
import type { Customer } from './scenarios'

export const BENCH_PASSWORD = 'bench password'
// bcrypt of BENCH_PASSWORD at cost 10 (the local strategy's), computed once: hashing 1,000 passwords at
// seed time would take over a minute and measure nothing.
const BENCH_PASSWORD_HASH = '$2b$10$23VR5waNu1HUJKbK1yJDreXkeAvFTVk0HcCAPhBFf0ikkolEMs6GC'

export interface SeedSize {
  products: number
  users: number
  /** Customers that log in for JWTs (each login is a bcrypt compare on the server). */
  loggedIn: number
  stockPerProduct: number
}

export const defaultSize: SeedSize = { products: 10_000, users: 1_000, loggedIn: 10, stockPerProduct: 1_000 }

export interface Seeded {
  productIds: number[]
  admin: Customer
  customers: Customer[]
}

/**
 * Bulk inserts straight into the migrated schema, keeping the API's invariants: every product's stock is
 * one `receive` entry in the inventory ledger, so products.stock equals the ledger from the start.
 */
const insertRows = async (db: pg.Client, size: SeedSize) => {
  await db.query('BEGIN')
  await db.query(
    `INSERT INTO users (email, password, name, roles) VALUES ('bench-admin@example.com', $1, 'Bench admin', '["admin"]')`,
    [BENCH_PASSWORD_HASH]
  )
  await db.query(
    `INSERT INTO users (email, password, name, roles)
     SELECT 'bench-' || i || '@example.com', $1, 'Bench customer ' || i, '["customer"]'::jsonb
     FROM generate_series(1, $2::int) AS i`,
    [BENCH_PASSWORD_HASH, size.users]
  )
  // Prices from 0.50 to 200.49 so the `priceCents[$gte]=100` filter leaves some out.
  await db.query(
    `INSERT INTO products (sku, name, description, "priceCents", currency, status, stock)
     SELECT 'BENCH-' || i, 'Bench product ' || i, 'Seeded by npm run bench', 50 + (i * 7919) % 20000, 'USD',
            'active', $1
     FROM generate_series(1, $2::int) AS i`,
    [size.stockPerProduct, size.products]
  )
  await db.query(
    `INSERT INTO inventory ("productId", kind, quantity, reason, "actorId", "stockAfter")
     SELECT p.id, 'receive', p.stock, 'bench seed', u.id, p.stock
     FROM products p, users u WHERE u.email = 'bench-admin@example.com'`
  )
  await db.query('COMMIT')
  // Fresh statistics: the planner must not plan for the empty tables it saw a second ago.
  await db.query('ANALYZE')
  const { rows } = await db.query('SELECT id FROM products ORDER BY id')
  return rows.map((row) => row.id as number)
}

/** Logs in through the API, as a client would: the tokens carry real sessions. */
const login = async (apiUrl: string, email: string): Promise<Customer> => {
  const response = await fetch(`${apiUrl}/authentication`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ strategy: 'local', email, password: BENCH_PASSWORD })
  })
  const body: any = await response.json()
  if (response.status !== 201) throw new Error(`login of ${email} failed: ${JSON.stringify(body)}`)
  return { id: body.user.id, token: body.accessToken }
}

export const seed = async (databaseUrl: string, apiUrl: string, size = defaultSize): Promise<Seeded> => {
  const db = new pg.Client({ connectionString: databaseUrl })
  await db.connect()
  let productIds: number[]
  try {
    productIds = await insertRows(db, size)
  } finally {
    await db.end()
  }
  const admin = await login(apiUrl, 'bench-admin@example.com')
  const customers: Customer[] = []
  for (let i = 1; i <= size.loggedIn; i++) customers.push(await login(apiUrl, `bench-${i}@example.com`))
  return { productIds, admin, customers }
}

/** Orders of the logged-in customers, for `GET /orders/:id`. */
export const ordersOf = async (databaseUrl: string, userIds: number[], limit = 5_000) => {
  const db = new pg.Client({ connectionString: databaseUrl })
  await db.connect()
  try {
    const { rows } = await db.query(
      'SELECT id, "userId" FROM orders WHERE "userId" = ANY($1) ORDER BY random() LIMIT $2',
      [userIds, limit]
    )
    return rows as { id: number; userId: number }[]
  } finally {
    await db.end()
  }
}

// The HTTP scenarios: each builds a fresh request per call, so the load spreads over many rows. The same
// requests go to the API and to the raw baseline (which reads the caller from X-User-Id, ignoring the token).

export interface Customer {
  id: number
  token: string
}

export interface LoadData {
  productIds: number[]
  customers: Customer[]
  /** Orders of the logged-in customers (filled in once orders exist). */
  orders: { id: number; userId: number }[]
}

export interface BenchRequest {
  method: 'GET' | 'POST'
  path: string
  headers?: Record<string, string>
  body?: string
}

export type ScenarioName = 'product-anon' | 'product-auth' | 'product-page' | 'order-create' | 'order-get'

export interface Scenario {
  name: ScenarioName
  title: string
  /** Statuses that are a correct answer under load (anything else fails the run). */
  expected: number[]
  request: (data: LoadData) => () => BenchRequest
}

const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)]

const as = (customer: Customer) => ({
  authorization: `Bearer ${customer.token}`,
  'x-user-id': String(customer.id)
})

export const scenarios: Scenario[] = [
  {
    name: 'product-anon',
    title: 'GET /products/:id (anonymous)',
    expected: [200],
    request: (data) => () => ({ method: 'GET', path: `/products/${pick(data.productIds)}` })
  },
  {
    name: 'product-auth',
    title: 'GET /products/:id (customer JWT)',
    expected: [200],
    request: (data) => () => ({
      method: 'GET',
      path: `/products/${pick(data.productIds)}`,
      headers: as(pick(data.customers))
    })
  },
  {
    name: 'product-page',
    title: 'GET /products?status&priceCents[$gte]&$limit=10',
    expected: [200],
    request: () => () => ({ method: 'GET', path: '/products?status=active&priceCents[$gte]=100&$limit=10' })
  },
  {
    name: 'order-create',
    title: 'POST /orders (reserves stock)',
    // 409: a product ran out of stock, which the seed makes unlikely; refusing is correct, overselling is not.
    expected: [201, 409],
    request: (data) => () => ({
      method: 'POST',
      path: '/orders',
      headers: { ...as(pick(data.customers)), 'content-type': 'application/json' },
      body: JSON.stringify({
        items: [{ productId: pick(data.productIds), quantity: 1 + Math.floor(Math.random() * 3) }]
      })
    })
  },
  {
    name: 'order-get',
    title: 'GET /orders/:id (owner JWT)',
    expected: [200],
    request: (data) => {
      const byId = new Map(data.customers.map((customer) => [customer.id, customer]))
      return () => {
        const order = pick(data.orders)
        return { method: 'GET', path: `/orders/${order.id}`, headers: as(byId.get(order.userId)!) }
      }
    }
  }
]

/** The soak's steady mix: mostly reads, some orders, as a shop sees it. */
export const soakMix = (data: LoadData) => {
  const weighted: [number, () => BenchRequest][] = [
    [35, scenarios[0].request(data)],
    [30, scenarios[1].request(data)],
    [20, scenarios[2].request(data)],
    [10, scenarios[4].request(data)],
    [5, scenarios[3].request(data)]
  ]
  return () => {
    let roll = Math.random() * 100
    for (const [weight, next] of weighted) if ((roll -= weight) < 0) return next()
    return weighted[0][1]()
  }
}

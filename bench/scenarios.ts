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

export type ScenarioName =
  | 'product-anon'
  | 'product-auth'
  | 'product-page'
  | 'order-create'
  | 'order-get'
  | 'gql-product'
  | 'gql-orders'

export interface Scenario {
  name: ScenarioName
  title: string
  /** Statuses that are a correct answer under load (anything else fails the run). */
  expected: number[]
  request: (data: LoadData) => () => BenchRequest
  /** What a correct body holds, checked once on each server before the load (GraphQL errors come with a 200). */
  answers?: (body: any) => boolean
}

const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)]

// GraphQL (docs/graphql.md): the same reads as the REST scenarios, and a page of orders with their lines and
// each line's product (the relations DataLoader batches). The raw baseline answers them with the same SQL.
export const GQL_PRODUCT =
  'query Product($id: Int!) { product(id: $id) { id sku name priceCents currency stock status } }'
export const GQL_ORDERS =
  'query OrderPage { orders(limit: 10, orderBy: [{ field: createdAt, direction: DESC }]) ' +
  '{ total data { id status totalCents currency items { quantity lineTotalCents product { id name } } } } }'

const graphql = (
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string> = {}
) => ({
  method: 'POST' as const,
  path: '/graphql',
  headers: { ...headers, 'content-type': 'application/json' },
  body: JSON.stringify({ query, variables })
})

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
  },
  {
    name: 'gql-product',
    title: 'POST /graphql product(id) (anonymous)',
    expected: [200],
    request: (data) => () => graphql(GQL_PRODUCT, { id: pick(data.productIds) }),
    answers: (body) => !body.errors && typeof body.data?.product?.id === 'number'
  },
  {
    name: 'gql-orders',
    title: 'POST /graphql orders page of 10 with items and products (owner JWT)',
    expected: [200],
    request: (data) => () => graphql(GQL_ORDERS, {}, as(pick(data.customers))),
    answers: (body) =>
      !body.errors &&
      body.data?.orders?.data?.length > 0 &&
      body.data.orders.data.every((order: any) => order.items.every((item: any) => item.product?.name))
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

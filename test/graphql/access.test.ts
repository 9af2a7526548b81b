import assert from 'node:assert/strict'
import { api, testServer, unique, userWithRoles, type TestUser } from '../helpers/server'
import { pendingOrder, stockedProduct } from '../helpers/commerce'
import { codeOf, graphql } from '../helpers/graphql'

// The GraphQL API runs through the same services as REST: these are the REST access rules, asked in GraphQL.
describe('GraphQL: the access matrix over HTTP', () => {
  let admin: TestUser
  let catalog: TestUser
  let support: TestUser
  let alice: TestUser
  let bob: TestUser
  let active: any
  let draft: any
  let order: any

  before(async () => {
    ;[admin, catalog, support, alice, bob] = await Promise.all([
      userWithRoles(['admin']),
      userWithRoles(['catalog']),
      userWithRoles(['support']),
      userWithRoles(['customer']),
      userWithRoles(['customer'])
    ])
    active = await stockedProduct(admin, { stock: 20, priceCents: 777 })
    draft = await stockedProduct(admin, { stock: 0, status: 'draft' })
    order = await pendingOrder(alice, 4321)
  })

  describe('products', () => {
    const PRODUCT = 'query One($id: Int!) { product(id: $id) { id sku status } }'

    it('anonymous callers read active products only; a draft is NOT_FOUND, as a 404 over REST', async () => {
      const page = await graphql(
        'query { products(where: { status: { in: [draft, archived] } }) { total data { id } } }'
      )
      assert.equal(page.errors, undefined)
      assert.equal(page.data.products.total, 0)
      assert.equal((await graphql(PRODUCT, { variables: { id: active.id } })).data.product.sku, active.sku)
      const hidden = await graphql(PRODUCT, { variables: { id: draft.id } })
      assert.equal(codeOf(hidden), 'NOT_FOUND')
      assert.equal(hidden.errors![0].extensions.status, 404)
      assert.deepEqual(hidden.errors![0].path, ['product'])
    })

    it('staff read drafts; filters, ilike, orderBy and limit work as declared', async () => {
      assert.equal(
        (await graphql(PRODUCT, { variables: { id: draft.id }, token: catalog.token })).data.product.status,
        'draft'
      )
      const page = await graphql(
        `
          query ($name: String!) {
            products(
              where: { name: { ilike: $name } }
              orderBy: [{ field: priceCents, direction: DESC }]
              limit: 1
            ) {
              total
              limit
              skip
              data {
                id
                name
              }
            }
          }
        `,
        { token: support.token, variables: { name: `%${active.name.slice(-8)}%` } }
      )
      assert.equal(page.errors, undefined, JSON.stringify(page.errors))
      assert.deepEqual(page.data.products, {
        total: 1,
        limit: 1,
        skip: 0,
        data: [{ id: active.id, name: active.name }]
      })
      const capped = await graphql('{ products(limit: 100000) { limit } }')
      assert.equal(capped.data.products.limit, 100, 'limit is capped like $limit')
    })

    it('mutations: UNAUTHENTICATED anonymous, FORBIDDEN for a customer, created by catalog staff', async () => {
      const create = 'mutation ($data: ProductCreateInput!) { createProduct(data: $data) { id sku status } }'
      const data = { sku: unique('GQL'), name: 'From GraphQL', priceCents: 500, currency: 'USD' }
      const anonymous = await graphql(create, { variables: { data } })
      assert.equal(codeOf(anonymous), 'UNAUTHENTICATED')
      assert.equal(codeOf(await graphql(create, { variables: { data }, token: alice.token })), 'FORBIDDEN')
      const made = await graphql(create, { variables: { data }, token: catalog.token })
      assert.equal(made.errors, undefined, JSON.stringify(made.errors))
      assert.equal(made.data.createProduct.status, 'draft')
      const rest = await api('GET', `/products/${made.data.createProduct.id}`, { token: catalog.token })
      assert.equal(rest.body.sku, data.sku)
      const removed = await graphql(`mutation { removeProduct(id: ${made.data.createProduct.id}) { id } }`, {
        token: catalog.token
      })
      assert.equal(codeOf(removed), 'FORBIDDEN', 'remove is admins only')
    })

    it('validation errors are BAD_USER_INPUT naming the fields, as over REST', async () => {
      const bad = await graphql(
        'mutation { createProduct(data: { sku: "no spaces allowed", name: "", priceCents: -1, currency: USD }) { id } }',
        { token: catalog.token }
      )
      assert.equal(codeOf(bad), 'BAD_USER_INPUT')
      const fields = bad.errors![0].extensions.errors.map((error: any) => error.field).sort()
      assert.deepEqual(fields, ['name', 'priceCents', 'sku'])
      const stack = JSON.stringify(bad)
      assert.ok(!/at .*\.ts:\d+|select |insert into/i.test(stack), 'no stack or SQL')
    })
  })

  describe('orders', () => {
    const ORDER = `query ($id: Int!) {
      order(id: $id) { id status totalCents user { email } items { quantity product { id name } } }
    }`

    it('the owner reads their order with its items, products and user; another customer gets NOT_FOUND', async () => {
      const own = await graphql(ORDER, { variables: { id: order.id }, token: alice.token })
      assert.equal(own.errors, undefined, JSON.stringify(own.errors))
      assert.equal(own.data.order.user.email, alice.email)
      assert.equal(own.data.order.items[0].product.id, order.items[0].productId)
      assert.equal(
        codeOf(await graphql(ORDER, { variables: { id: order.id }, token: bob.token })),
        'NOT_FOUND'
      )
      const bobs = await graphql('{ orders(limit: 100) { data { id userId } } }', { token: bob.token })
      assert.ok(bobs.data.orders.data.every((row: any) => row.userId === bob.id))
      assert.equal(codeOf(await graphql(ORDER, { variables: { id: order.id } })), 'UNAUTHENTICATED')
    })

    it('staff read every order; a related record the reader may not get is null', async () => {
      for (const staff of [admin, support]) {
        const read = await graphql(ORDER, { variables: { id: order.id }, token: staff.token })
        assert.equal(read.data.order.user.email, alice.email)
      }
      // Archived, the product is no longer the public's: its owner's order line shows null, staff still see it.
      const mine = await pendingOrder(alice, 6543)
      const productId = mine.items[0].productId
      await api('PATCH', `/products/${productId}`, { token: admin.token, body: { status: 'archived' } })
      try {
        const line = await graphql(ORDER, { variables: { id: mine.id }, token: alice.token })
        assert.equal(line.errors, undefined)
        assert.equal(line.data.order.items[0].product, null)
        const staffLine = await graphql(ORDER, { variables: { id: mine.id }, token: support.token })
        assert.equal(staffLine.data.order.items[0].product.id, productId)
      } finally {
        await api('PATCH', `/products/${productId}`, { token: admin.token, body: { status: 'active' } })
      }
    })

    it('transitions: a customer cannot ship (CONFLICT naming the allowed ones), may cancel; stale versions conflict', async () => {
      const mine = await pendingOrder(alice, 2222)
      const patch = `mutation ($id: Int!, $data: OrderPatchInput!, $version: Int) {
        patchOrder(id: $id, data: $data, version: $version) { id status version }
      }`
      const ship = await graphql(patch, {
        variables: { id: mine.id, data: { status: 'shipped' } },
        token: alice.token
      })
      assert.equal(codeOf(ship), 'CONFLICT')
      assert.deepEqual(ship.errors![0].extensions.allowed, [{ name: 'cancel', to: 'cancelled' }])
      const stale = await graphql(patch, {
        variables: { id: mine.id, data: { note: 'x' }, version: mine.version + 5 },
        token: alice.token
      })
      assert.equal(codeOf(stale), 'CONFLICT')
      assert.equal(stale.errors![0].extensions.field, 'version')
      const other = await graphql(patch, {
        variables: { id: mine.id, data: { status: 'cancelled' } },
        token: bob.token
      })
      assert.equal(codeOf(other), 'NOT_FOUND')
      const cancel = await graphql(patch, {
        variables: { id: mine.id, data: { status: 'cancelled' }, version: mine.version },
        token: alice.token
      })
      assert.equal(cancel.errors, undefined, JSON.stringify(cancel.errors))
      assert.equal(cancel.data.patchOrder.status, 'cancelled')
      const history = await api('GET', `/order-history?orderId=${mine.id}`, { token: admin.token })
      assert.ok(
        history.body.data.some((entry: any) => entry.toStatus === 'cancelled' || entry.to === 'cancelled')
      )
    })

    it('a field a principal may not write is BAD_USER_INPUT naming it', async () => {
      const roles = await graphql(
        `mutation { patchUser(id: ${alice.id}, data: { roles: [admin] }) { id roles } }`,
        {
          token: alice.token
        }
      )
      assert.equal(codeOf(roles), 'BAD_USER_INPUT')
      assert.equal(roles.errors![0].message, "Field 'roles' is read-only for you")
      assert.deepEqual(roles.errors![0].extensions.errors, [{ field: 'roles', message: 'is read-only' }])
    })

    it('creates an order priced on the server', async () => {
      const made = await graphql(
        `
          mutation ($data: OrderCreateInput!) {
            createOrder(data: $data) {
              id
              status
              totalCents
              items {
                quantity
              }
            }
          }
        `,
        {
          token: bob.token,
          variables: {
            data: {
              items: [{ productId: active.id, quantity: 2 }],
              shippingAddress: { line1: 'a', city: 'b', country: 'KR' }
            }
          }
        }
      )
      assert.equal(made.errors, undefined, JSON.stringify(made.errors))
      assert.deepEqual(made.data.createOrder.items, [{ quantity: 2 }])
      assert.equal(made.data.createOrder.totalCents, 2 * 777)
      assert.equal(made.data.createOrder.status, 'pending')
    })
  })

  describe('payments and refunds', () => {
    it('the owner pays their order; the order is paid; another customer sees neither; support refunds', async () => {
      const mine = await pendingOrder(alice, 3100)
      const pay = await graphql(
        `
          mutation ($data: PaymentCreateInput!) {
            createPayment(data: $data) {
              id
              status
              amountCents
              order {
                id
                status
              }
              user {
                email
              }
            }
          }
        `,
        { token: alice.token, variables: { data: { orderId: mine.id, paymentMethod: 'sim_succeed' } } }
      )
      assert.equal(pay.errors, undefined, JSON.stringify(pay.errors))
      const payment = pay.data.createPayment
      assert.equal(payment.status, 'captured')
      assert.deepEqual(payment.order, { id: mine.id, status: 'paid' })
      assert.equal(payment.user.email, alice.email)
      const PAYMENT = 'query ($id: Int!) { payment(id: $id) { id status } }'
      assert.equal(
        codeOf(await graphql(PAYMENT, { variables: { id: payment.id }, token: bob.token })),
        'NOT_FOUND'
      )
      const theirs = await graphql(
        'query ($orderId: Int!) { payments(where: { orderId: { eq: $orderId } }) { total } }',
        { variables: { orderId: mine.id }, token: bob.token }
      )
      assert.equal(theirs.data?.payments.total ?? 0, 0)
      const REFUND = `mutation ($data: RefundCreateInput!) { createRefund(data: $data) { id amountCents payment { id } } }`
      const refundData = { paymentId: payment.id, amountCents: 100, reason: 'damaged' }
      assert.equal(
        codeOf(await graphql(REFUND, { variables: { data: refundData }, token: alice.token })),
        'FORBIDDEN'
      )
      const refund = await graphql(REFUND, { variables: { data: refundData }, token: support.token })
      assert.equal(refund.errors, undefined, JSON.stringify(refund.errors))
      assert.equal(refund.data.createRefund.amountCents, 100)
      const after = await graphql(`{ order(id: ${mine.id}) { status refundedCents } }`, {
        token: alice.token
      })
      assert.deepEqual(after.data.order, { status: 'partially_refunded', refundedCents: 100 })
    })
  })

  describe('Idempotency-Key', () => {
    const CREATE = `mutation ($data: OrderCreateInput!) { createOrder(data: $data) { id totalCents } }`

    it('replays the first answer of a mutation sent again with its key; another body is BAD_USER_INPUT', async () => {
      const key = { 'idempotency-key': unique('gql-key') }
      const body = {
        items: [{ productId: active.id, quantity: 1 }],
        shippingAddress: { line1: 'a', city: 'b', country: 'KR' }
      }
      const first = await graphql(CREATE, { token: bob.token, variables: { data: body }, headers: key })
      assert.equal(first.errors, undefined, JSON.stringify(first.errors))
      const again = await graphql(CREATE, { token: bob.token, variables: { data: body }, headers: key })
      assert.deepEqual(again.data, first.data)
      const other = await graphql(CREATE, {
        token: bob.token,
        variables: { data: { ...body, items: [{ productId: active.id, quantity: 2 }] } },
        headers: key
      })
      assert.equal(codeOf(other), 'BAD_USER_INPUT')
      assert.equal(other.errors![0].extensions.status, 422)
    })

    it('covers one mutation per request', async () => {
      const two = await graphql(
        `mutation { a: patchOrder(id: ${order.id}, data: { note: "a" }) { id } b: patchOrder(id: ${order.id}, data: { note: "b" }) { id } }`,
        { token: alice.token, headers: { 'idempotency-key': unique('gql-key') } }
      )
      assert.equal(codeOf(two), 'BAD_USER_INPUT')
      assert.equal(two.data, undefined)
    })
  })

  describe('API keys', () => {
    it('do what their scopes name, on every row, and nothing else', async () => {
      const { body } = await api('POST', '/api-keys', {
        token: admin.token,
        body: { name: unique('gql-key'), scopes: [{ resource: 'products', methods: ['find', 'get'] }] }
      })
      // Made over GraphQL: the one-time secret is in the create answer (the contract's `key`), never again.
      const made = await graphql(
        'mutation ($data: ApiKeyCreateInput!) { createApiKey(data: $data) { id key } }',
        {
          token: admin.token,
          variables: { data: { name: unique('gql-key'), scopes: [{ resource: 'products' }] } }
        }
      )
      assert.match(made.data.createApiKey.key, /^iak_/)
      const listed = await graphql(`{ apiKey(id: ${made.data.createApiKey.id}) { id key } }`, {
        token: admin.token
      })
      assert.equal(listed.data.apiKey.key, null)
      assert.equal(
        (await graphql('{ products { total } }', { apiKey: made.data.createApiKey.key })).errors,
        undefined
      )
      const read = await graphql(`{ product(id: ${draft.id}) { id status } }`, { apiKey: body.key })
      assert.equal(read.data.product.status, 'draft', 'keys read every row of their resources')
      const write = await graphql(
        `mutation { patchProduct(id: ${draft.id}, data: { name: "renamed" }) { id } }`,
        { apiKey: body.key }
      )
      assert.equal(codeOf(write), 'FORBIDDEN')
      assert.equal(codeOf(await graphql('{ orders { total } }', { apiKey: body.key })), 'FORBIDDEN')
      const bad = await graphql('{ products { total } }', { apiKey: 'iak_not-a-key' })
      assert.equal(bad.status, 401)
      assert.equal(codeOf(bad), 'UNAUTHENTICATED')
    })
  })

  describe('N+1', () => {
    it('a page of orders with items, products and users costs the same statements for 2 or 12 orders', async () => {
      const carol = await userWithRoles(['customer'])
      for (let i = 0; i < 12; i++) await pendingOrder(carol, 1000 + i)
      const { app } = await testServer()
      const statements = async (limit: number) => {
        const sql: string[] = []
        const listener = (query: { sql: string }) => sql.push(query.sql)
        app.get('knex').on('query', listener)
        try {
          const page = await graphql(
            `{ orders(limit: ${limit}) { data { id items { sku product { name } order { id } } user { email } } } }`,
            { token: carol.token }
          )
          assert.equal(page.errors, undefined, JSON.stringify(page.errors))
          assert.equal(page.data.orders.data.length, limit)
        } finally {
          app.get('knex').off('query', listener)
        }
        // The statements of this query: the relay and consumers working beside it touch other tables, and the
        // page's total is cached between pages (src/database/totals-cache.ts).
        const mine = /from "(orders|order_items|users|products)"/
        return sql.filter((text) => mine.test(text) && !/count\(/i.test(text))
      }
      await statements(2) // warms the identity cache (a token's session is read once, then reused)
      const two = await statements(2)
      const twelve = await statements(12)
      assert.equal(twelve.length, two.length, [...two, '--', ...twelve].join('\n'))
      assert.ok(twelve.length <= 5, twelve.join('\n')) // orders, items, users, products, orders
    })
  })
})

import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { randomUUID } from 'node:crypto'
import config from 'config'
import { createClient } from 'graphql-ws'
import WebSocket from 'ws'
import { baseEnv, startProcess, stopProcess, type Started } from '../helpers/process'
import { freshDatabase } from '../helpers/postgres'
import { codeOf, graphql, type GraphqlResponse } from '../helpers/graphql'

// No shipped declaration allows `update` (docs/declarations.md#update-put): this starts the server (`npm start`)
// on a copy of src/contexts where products may be replaced by admins, and orders by their owner (note and
// address) and admins (also the owner), and asks it over GraphQL.
const ADMIN = { email: 'gql-update-admin@example.com', password: 'gql update admin password' }
const ADDRESS = { line1: '1 Main St', city: 'Seoul', country: 'KR' }

const declarations = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gql-update-resources-'))
  fs.cpSync('src/contexts', dir, { recursive: true })
  const edit = (file: string, before: string, after: string) => {
    const text = fs.readFileSync(path.join(dir, file), 'utf8')
    assert.ok(text.includes(before), `${file} has ${before}`)
    fs.writeFileSync(path.join(dir, file), text.replace(before, after))
  }
  edit('catalog/products.yaml', '  remove: [admin]\n', '  update: [admin]\n  remove: [admin]\n')
  edit(
    'orders/orders.yaml',
    '  patch:\n',
    '  update:\n    owner: { fields: [note, shippingAddress] }\n    admin: { fields: [userId, note, shippingAddress] }\n  patch:\n'
  )
  return dir
}

describe('GraphQL: update (PUT) mutations where a declaration allows update', function () {
  this.timeout(120_000)
  let server: Started
  let drop: (() => Promise<void>) | undefined
  const folders: string[] = []
  let call: (query: string, options?: Parameters<typeof graphql>[1]) => Promise<GraphqlResponse>
  const tokens: Record<string, string> = {}
  let productId: number

  const login = async (email: string, password: string) => {
    const response = await fetch(`${server.url}/authentication`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ strategy: 'local', email, password })
    })
    assert.equal(response.status, 201)
    return (await response.json()).accessToken as string
  }

  /** A user registered over GraphQL (admins name the roles), logged in over REST. */
  const user = async (roles?: string[]) => {
    const email = `gql-update-${randomUUID().slice(0, 8)}@example.com`
    const data = { email, password: 'long enough password', name: 'Update test', ...(roles && { roles }) }
    const made = await call('mutation ($data: UserCreateInput!) { createUser(data: $data) { id } }', {
      variables: { data },
      ...(roles && { token: tokens.admin })
    })
    assert.equal(made.errors, undefined, JSON.stringify(made.errors))
    return { id: made.data.createUser.id as number, token: await login(email, data.password) }
  }

  const ORDER = `mutation ($data: OrderCreateInput!) { createOrder(data: $data) { id version } }`
  const order = async (token: string) => {
    const made = await call(ORDER, {
      token,
      variables: { data: { items: [{ productId, quantity: 1 }], shippingAddress: ADDRESS, note: 'first' } }
    })
    assert.equal(made.errors, undefined, JSON.stringify(made.errors))
    return made.data.createOrder as { id: number; version: number }
  }

  before(async () => {
    const url = config.get<string>('database.url')
    const database = url ? await freshDatabase(url, 'gql_update') : undefined
    drop = database?.drop
    const dataDir = database ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'gql-update-data-'))
    const resourcesDir = declarations()
    folders.push(resourcesDir, ...(dataDir ? [dataDir] : []))
    server = await startProcess({
      ...baseEnv(),
      ...(database ? { DATABASE_URL: database.url } : { DATA_DIR: dataDir }),
      RESOURCES_DIR: resourcesDir,
      WORKERS: 'off',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password
    })
    call = (query, options = {}) => graphql(query, { ...options, url: server.url })
    tokens.admin = await login(ADMIN.email, ADMIN.password)
    tokens.catalog = (await user(['catalog'])).token
    const made = await call('mutation ($data: ProductCreateInput!) { createProduct(data: $data) { id } }', {
      token: tokens.admin,
      variables: {
        data: { sku: 'UPD-1', name: 'Mug', priceCents: 500, currency: 'USD', status: 'active' }
      }
    })
    assert.equal(made.errors, undefined, JSON.stringify(made.errors))
    productId = made.data.createProduct.id
    const stock = await call(
      `mutation { createInventory(data: { productId: ${productId}, kind: receive, quantity: 100 }) { id } }`,
      { token: tokens.admin }
    )
    assert.equal(stock.errors, undefined, JSON.stringify(stock.errors))
  })

  after(async () => {
    if (server) await stopProcess(server.child)
    await drop?.()
    for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true })
  })

  const UPDATE_PRODUCT = `mutation ($id: Int!, $data: ProductUpdateInput!) {
    updateProduct(id: $id, data: $data) { id sku name description status priceCents }
  }`
  const replacement = { sku: 'UPD-1', name: 'Big mug', priceCents: 700, currency: 'USD' }

  it('replaces a product for the roles the declaration names, and only for them', async () => {
    const described = await call(
      `mutation { patchProduct(id: ${productId}, data: { description: "blue" }) { description } }`,
      { token: tokens.catalog }
    )
    assert.equal(described.data.patchProduct.description, 'blue', 'catalog staff may patch')
    const variables = { id: productId, data: replacement }
    assert.equal(codeOf(await call(UPDATE_PRODUCT, { variables, token: tokens.catalog })), 'FORBIDDEN')
    const customer = await user()
    assert.equal(codeOf(await call(UPDATE_PRODUCT, { variables, token: customer.token })), 'FORBIDDEN')
    assert.equal(codeOf(await call(UPDATE_PRODUCT, { variables })), 'UNAUTHENTICATED')
    const replaced = await call(UPDATE_PRODUCT, { variables, token: tokens.admin })
    assert.equal(replaced.errors, undefined, JSON.stringify(replaced.errors))
    // What the replacement leaves out takes its default (status) or null (description), as a PUT does.
    assert.deepEqual(replaced.data.updateProduct, {
      id: productId,
      sku: 'UPD-1',
      name: 'Big mug',
      description: null,
      status: 'draft',
      priceCents: 700
    })
    const restored = await call(
      `mutation { patchProduct(id: ${productId}, data: { status: active }) { status } }`,
      { token: tokens.admin }
    )
    assert.equal(restored.data.patchProduct.status, 'active')
  })

  it('offers no update mutation for a resource whose declaration does not allow it', async () => {
    const denied = await call('mutation { updateCategory(id: 1, data: { name: "x" }) { id } }', {
      token: tokens.admin
    })
    assert.equal(denied.status, 400)
    assert.equal(codeOf(denied), 'GRAPHQL_VALIDATION_FAILED')
    const names = await call('{ __schema { mutationType { fields { name } } } }')
    const updates = names.data.__schema.mutationType.fields
      .map((field: { name: string }) => field.name)
      .filter((name: string) => name.startsWith('update'))
    assert.deepEqual(updates.sort(), ['updateOrder', 'updateProduct'])
  })

  it('refuses a replacement without a required field, naming it, in variables and inline', async () => {
    const { name: _name, ...withoutName } = replacement
    const missing = await call(UPDATE_PRODUCT, {
      variables: { id: productId, data: withoutName },
      token: tokens.admin
    })
    assert.equal(missing.status, 400)
    assert.equal(codeOf(missing), 'BAD_USER_INPUT')
    assert.deepEqual(missing.errors![0].extensions.errors, [{ field: 'name', message: 'is required' }])
    const inline = await call(
      `mutation { updateProduct(id: ${productId}, data: { sku: "UPD-1", priceCents: "7", currency: USD }) { id } }`,
      { token: tokens.admin }
    )
    assert.equal(inline.status, 400)
    assert.deepEqual(
      inline.errors!.flatMap((error) => error.extensions.errors),
      [
        { field: 'name', message: 'is required' },
        { field: 'priceCents', message: 'must be an integer (32-bit)' }
      ]
    )
  })

  const UPDATE_ORDER = `mutation ($id: Int!, $data: OrderUpdateInput!, $version: Int) {
    updateOrder(id: $id, data: $data, version: $version) { id status note shippingAddress version userId }
  }`

  it('replaces an order for its owner: a stale version is a CONFLICT, a field they may not write is named', async () => {
    const alice = await user()
    const bob = await user()
    const mine = await order(alice.token)
    const stale = await call(UPDATE_ORDER, {
      variables: { id: mine.id, data: { note: 'late' }, version: mine.version + 3 },
      token: alice.token
    })
    assert.equal(codeOf(stale), 'CONFLICT')
    assert.equal(stale.errors![0].extensions.status, 409)
    assert.equal(stale.errors![0].extensions.field, 'version')
    const theirs = await call(UPDATE_ORDER, {
      variables: { id: mine.id, data: { note: 'not mine' } },
      token: bob.token
    })
    assert.equal(codeOf(theirs), 'NOT_FOUND')
    const planted = await call(UPDATE_ORDER, {
      variables: { id: mine.id, data: { note: 'x', userId: bob.id } },
      token: alice.token
    })
    assert.equal(codeOf(planted), 'BAD_USER_INPUT')
    assert.deepEqual(planted.errors![0].extensions.errors, [{ field: 'userId', message: 'is read-only' }])
    const replaced = await call(UPDATE_ORDER, {
      variables: { id: mine.id, data: { note: 'replaced' }, version: mine.version },
      token: alice.token
    })
    assert.equal(replaced.errors, undefined, JSON.stringify(replaced.errors))
    // The status is the state machine's: a replacement leaving it out keeps it; the owner stays.
    assert.deepEqual(replaced.data.updateOrder, {
      id: mine.id,
      status: 'pending',
      note: 'replaced',
      shippingAddress: null,
      version: mine.version + 1,
      userId: alice.id
    })
  })

  it('keeps optional the owner field the server fills, though the declaration requires it', async () => {
    const type = await call('{ __type(name: "OrderUpdateInput") { inputFields { name type { kind } } } }')
    const kinds = Object.fromEntries(
      type.data.__type.inputFields.map((field: any) => [field.name, field.type.kind])
    )
    // userId is declared required (not optional), but the server keeps it when a replacement leaves it out.
    assert.equal(kinds.userId, 'SCALAR')
    assert.ok(!Object.values(kinds).includes('NON_NULL'), JSON.stringify(kinds))
    const product = await call(
      '{ __type(name: "ProductUpdateInput") { inputFields { name type { kind } } } }'
    )
    const required = product.data.__type.inputFields
      .filter((field: any) => field.type.kind === 'NON_NULL')
      .map((field: any) => field.name)
    assert.deepEqual(required, ['sku', 'name', 'priceCents', 'currency'])
  })

  it('publishes the replacement as the REST one: orderPatched to the owner, nothing to another customer', async () => {
    const alice = await user()
    const bob = await user()
    const mine = await order(alice.token)
    const received: Record<string, any[]> = { alice: [], bob: [] }
    const clients = [alice, bob].map((who, index) => {
      const client = createClient({
        url: `${server.url.replace(/^http/, 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${who.token}` },
        retryAttempts: 0
      })
      const name = index === 0 ? 'alice' : 'bob'
      client.subscribe(
        { query: 'subscription { orderPatched { id note version } }' },
        { next: ({ data }) => received[name].push(data!.orderPatched), error: () => {}, complete: () => {} }
      )
      return client
    })
    try {
      // Subscribed once a first event arrives: patch until alice's subscription sees one.
      const deadline = Date.now() + 10_000
      while (!received.alice.length && Date.now() < deadline) {
        await call(`mutation { patchOrder(id: ${mine.id}, data: { note: "warm" }) { id } }`, {
          token: alice.token
        })
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
      const before = received.alice.length
      const replaced = await call(UPDATE_ORDER, {
        variables: { id: mine.id, data: { note: 'by PUT' } },
        token: alice.token
      })
      assert.equal(replaced.errors, undefined, JSON.stringify(replaced.errors))
      while (received.alice.length === before && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      assert.deepEqual(received.alice.at(-1), {
        id: mine.id,
        note: 'by PUT',
        version: replaced.data.updateOrder.version
      })
      assert.deepEqual(received.bob, [])
    } finally {
      for (const client of clients) await client.dispose()
    }
  })

  it('replays an update sent again with its Idempotency-Key; another body under the key is refused', async () => {
    const alice = await user()
    const mine = await order(alice.token)
    const headers = { 'idempotency-key': `gql-update-${randomUUID()}` }
    const variables = { id: mine.id, data: { note: 'once', shippingAddress: ADDRESS } }
    const first = await call(UPDATE_ORDER, { variables, token: alice.token, headers })
    assert.equal(first.errors, undefined, JSON.stringify(first.errors))
    const again = await call(UPDATE_ORDER, { variables, token: alice.token, headers })
    assert.deepEqual(again.data, first.data)
    assert.equal(again.data.updateOrder.version, mine.version + 1, 'replayed, not applied twice')
    const other = await call(UPDATE_ORDER, {
      variables: { ...variables, data: { note: 'twice' } },
      token: alice.token,
      headers
    })
    assert.equal(codeOf(other), 'BAD_USER_INPUT')
    assert.equal(other.errors![0].extensions.status, 422)
  })
})

import assert from 'node:assert/strict'
import { api, unique, userWithRoles, type TestUser } from '../../../../test/helpers/server'

describe('catalog: categories and products (REST)', () => {
  let admin: TestUser
  let customer: TestUser
  const product = (overrides: Record<string, unknown> = {}) => ({
    sku: unique('SKU'),
    name: `Widget ${unique()}`,
    priceCents: 1500,
    currency: 'USD',
    ...overrides
  })

  before(async () => {
    admin = await userWithRoles(['admin'])
    customer = await userWithRoles(['customer'])
  })

  it('creates products as admin with the declared default status', async () => {
    const created = await api('POST', '/products', { token: admin.token, body: product() })
    assert.equal(created.status, 201)
    assert.equal(created.body.status, 'draft')
    assert.match(created.body.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  })

  it('forbids customers and anonymous callers to write', async () => {
    assert.equal((await api('POST', '/products', { token: customer.token, body: product() })).status, 403)
    assert.equal((await api('POST', '/products', { body: product() })).status, 401)
    assert.equal(
      (await api('POST', '/categories', { token: customer.token, body: { name: 'x', slug: unique('c') } }))
        .status,
      403
    )
  })

  it('shows anonymous users and customers only active products; admins see all', async () => {
    const draft = (await api('POST', '/products', { token: admin.token, body: product() })).body
    const active = (
      await api('POST', '/products', { token: admin.token, body: product({ status: 'active' }) })
    ).body
    assert.equal((await api('GET', `/products/${draft.id}`)).status, 404)
    assert.equal((await api('GET', `/products/${draft.id}`, { token: customer.token })).status, 404)
    assert.equal((await api('GET', `/products/${active.id}`)).status, 200)
    assert.equal((await api('GET', `/products/${draft.id}`, { token: admin.token })).status, 200)
    const publicList = await api('GET', '/products?$limit=100&status[$in]=draft&status[$in]=active')
    assert.ok(publicList.body.data.every((p: { status: string }) => p.status === 'active'))
    const skus = (
      await api('GET', `/products?sku[$in]=${draft.sku}&sku[$in]=${active.sku}`, { token: admin.token })
    ).body
    assert.equal(skus.total, 2)
  })

  it('filters with declared operators, sorts, selects and searches names', async () => {
    const tag = unique('srch')
    for (const [price, name] of [
      [100, `Alpha ${tag}`],
      [200, `Beta ${tag}`],
      [300, `Gamma ${tag}`]
    ] as const) {
      await api('POST', '/products', {
        token: admin.token,
        body: product({ priceCents: price, name, status: 'active' })
      })
    }
    const page = await api(
      'GET',
      `/products?name[$ilike]=%25${tag}%25&priceCents[$gte]=200&$sort[priceCents]=-1&$select[]=name`
    )
    assert.equal(page.status, 200)
    assert.deepEqual(
      page.body.data.map((p: { name: string }) => p.name),
      [`Gamma ${tag}`, `Beta ${tag}`]
    )
    assert.deepEqual(Object.keys(page.body.data[0]).sort(), ['id', 'name'])
  })

  it('clamps $limit to the declared maximum', async () => {
    const page = await api('GET', '/products?$limit=5000')
    assert.equal(page.status, 200)
    assert.equal(page.body.limit, 100)
  })

  it('rejects undeclared query fields, operators, sorts and hidden selects with a 400 naming them', async () => {
    const cases: [string, string][] = [
      ['/products?colour=red', 'colour'],
      ['/products?priceCents[$regex]=1', 'priceCents.$regex'],
      ['/products?description[$ilike]=x', 'description'],
      ['/products?$sort[sku]=1', '$sort.sku'],
      ['/products?priceCents=cheap', 'priceCents'],
      ['/users?$select[]=password', '$select.0'],
      ['/products?$or[0][status]=draft', '$or']
    ]
    const admin2 = await userWithRoles(['admin'])
    for (const [path, field] of cases) {
      const { status, body } = await api('GET', path, { token: admin2.token })
      assert.equal(status, 400, path)
      assert.ok(
        body.errors.some((e: { field: string }) => e.field === field),
        `${path}: ${JSON.stringify(body.errors)}`
      )
    }
  })

  it('answers 409 naming sku for a duplicate, 400 for a missing category', async () => {
    const body = product()
    assert.equal((await api('POST', '/products', { token: admin.token, body })).status, 201)
    const duplicate = await api('POST', '/products', { token: admin.token, body: { ...body, name: 'Other' } })
    assert.equal(duplicate.status, 409)
    assert.equal(duplicate.body.data.field, 'sku')
    const orphan = await api('POST', '/products', {
      token: admin.token,
      body: product({ categoryId: 999999 })
    })
    assert.equal(orphan.status, 400)
    assert.match(orphan.body.message, /categoryId/)
  })

  it('manages a category tree and filters products by category', async () => {
    const parent = await api('POST', '/categories', {
      token: admin.token,
      body: { name: 'Fruit', slug: unique('fruit') }
    })
    assert.equal(parent.status, 201)
    const child = await api('POST', '/categories', {
      token: admin.token,
      body: { name: 'Apples', slug: unique('apples'), parentId: parent.body.id }
    })
    assert.equal(child.body.parentId, parent.body.id)
    assert.equal((await api('GET', `/categories?parentId=${parent.body.id}`)).body.total, 1)
    const apple = product({ categoryId: child.body.id, status: 'active' })
    await api('POST', '/products', { token: admin.token, body: apple })
    const inCategory = await api('GET', `/products?categoryId=${child.body.id}`)
    assert.deepEqual(
      inCategory.body.data.map((p: { sku: string }) => p.sku),
      [apple.sku]
    )
    const badSlug = await api('POST', '/categories', {
      token: admin.token,
      body: { name: 'x', slug: 'Not A Slug' }
    })
    assert.equal(badSlug.status, 400)
    assert.equal(badSlug.body.errors[0].field, 'slug')
  })

  it('patches and removes as declared, with 404 for unknown and malformed ids', async () => {
    const created = (await api('POST', '/products', { token: admin.token, body: product() })).body
    const patched = await api('PATCH', `/products/${created.id}`, {
      token: admin.token,
      body: { priceCents: 999 }
    })
    assert.equal(patched.body.priceCents, 999)
    assert.ok(patched.body.updatedAt >= created.updatedAt)
    assert.equal(
      (await api('PATCH', `/products/${created.id}`, { token: admin.token, body: { createdAt: 'x' } }))
        .status,
      400
    )
    assert.equal(
      (await api('PUT', `/products/${created.id}`, { token: admin.token, body: product() })).status,
      405
    )
    assert.equal((await api('DELETE', `/products/${created.id}`, { token: admin.token })).status, 200)
    assert.equal((await api('GET', `/products/${created.id}`, { token: admin.token })).status, 404)
    assert.equal((await api('GET', '/products/99999999', { token: admin.token })).status, 404)
    assert.equal((await api('GET', '/products/abc', { token: admin.token })).status, 404)
  })
})

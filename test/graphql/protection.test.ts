import assert from 'node:assert/strict'
import { api, testServer, userWithRoles } from '../helpers/server'
import { codeOf, graphql } from '../helpers/graphql'
import { collect, connect, endOf } from '../helpers/graphql-ws'

describe('GraphQL: limits, errors and operations over HTTP', () => {
  it('refuses a query nested deeper than graphql.maxDepth before running it', async () => {
    const deep = await graphql(
      '{ orders(limit: 1) { data { items { order { items { order { items { order { items { order { id } } } } } } } } } } }'
    )
    assert.equal(deep.status, 400)
    assert.equal(codeOf(deep), 'QUERY_TOO_DEEP')
    assert.equal(deep.data, undefined, 'nothing ran: not even the authentication error of orders')
  })

  it('refuses a query whose estimated cost exceeds graphql.maxCost', async () => {
    const costly = await graphql(
      `query { ${['a', 'b'].map((alias) => `${alias}: orders(limit: 100) { data { items { product { name } order { items { sku } } } } }`).join(' ')} }`
    )
    assert.equal(codeOf(costly), 'QUERY_TOO_COSTLY')
    assert.ok(costly.errors![0].extensions.cost > costly.errors![0].extensions.maxCost)
  })

  it('refuses a document larger than graphql.maxDocumentBytes', async () => {
    const padding = ' '.repeat(20_000)
    const large = await graphql(`{ products { total }${padding} }`)
    assert.equal(codeOf(large), 'DOCUMENT_TOO_LARGE')
  })

  it('refuses a document nested too deep to parse with a 400 naming the rule, and keeps serving', async () => {
    const deep = await graphql(`{ products { data { ${'a { '.repeat(3000)}${'}'.repeat(3000)} } } }`)
    assert.equal(deep.status, 400)
    assert.equal(codeOf(deep), 'DOCUMENT_TOO_DEEP')
    assert.doesNotMatch(JSON.stringify(deep.errors), /call stack/i)
    const after = await graphql('{ products(limit: 1) { limit } }')
    assert.equal(after.data.products.limit, 1)
  })

  it('refuses the same over the websocket, with the connection left open for the next operation', async () => {
    const client = await connect()
    try {
      const deep = collect(
        client,
        `subscription { productCreated { ${'a { '.repeat(3000)}${'}'.repeat(3000)} } }`
      )
      const errors = await endOf(deep.ended)
      assert.equal(errors[0].extensions.code, 'DOCUMENT_TOO_DEEP')
      const next = collect(client, '{ products(limit: 1) { limit } }')
      assert.equal(await endOf(next.ended), undefined)
      assert.equal(next.received[0].data.products.limit, 1)
    } finally {
      await client.dispose()
    }
  })

  it('answers syntax and unknown fields without suggestions, stacks or hidden names', async () => {
    const syntax = await graphql('{ products { ')
    assert.equal(codeOf(syntax), 'GRAPHQL_PARSE_FAILED')
    const typo = await graphql('{ products { data { nam } } }')
    assert.equal(codeOf(typo), 'GRAPHQL_VALIDATION_FAILED')
    assert.equal(typo.errors![0].message, 'Cannot query field "nam" on type "Product".')
    const admin = await userWithRoles(['admin'])
    const hidden = await graphql('{ users { data { passwor } } }', { token: admin.token })
    assert.doesNotMatch(JSON.stringify(hidden.errors), /password|Did you mean|\.ts:\d+/)
    const variables = await graphql('query ($id: Int!) { product(id: $id) { id } }', {
      variables: { id: 'x' }
    })
    assert.equal(codeOf(variables), 'BAD_USER_INPUT')
  })

  it('answers hostile requests with a 4xx, never a 5xx', async () => {
    const post = (body: string, type = 'application/json') =>
      api('POST', '/graphql', {
        body,
        headers: { 'content-type': type, accept: 'application/graphql-response+json' }
      })
    const statuses = [
      (await post('[1]')).status,
      (await post('{"query": 5}')).status,
      (await post('{"query": "{ products { total } }", "variables": "x"}')).status,
      (await post('{"query": "{ products { total } }"', 'application/json')).status,
      (await post('query { products { total } }', 'application/graphql')).status,
      (
        await post(
          JSON.stringify({ query: '{ products(where: { priceCents: { in: [1, "x"] } }) { total } }' })
        )
      ).status
    ]
    for (const status of statuses) assert.ok(status >= 400 && status < 500, `status ${status}`)
    const wide = await graphql('query ($ids: [Int!]) { products(where: { sku: { in: $ids } }) { total } }', {
      variables: { ids: Array.from({ length: 5000 }, (_, i) => i) }
    })
    assert.equal(codeOf(wide), 'BAD_USER_INPUT', 'a variable of the wrong type')
    const many = await graphql(
      'query ($skus: [String!]) { products(where: { sku: { in: $skus } }) { total } }',
      {
        variables: { skus: Array.from({ length: 5000 }, (_, i) => `s${i}`) }
      }
    )
    assert.equal(codeOf(many), 'BAD_USER_INPUT', 'the service input limits apply (limits.maxArrayLength)')
  })

  it('answers an invalid token with UNAUTHENTICATED and a 401, like REST', async () => {
    const response = await graphql('{ products { total } }', { token: 'not-a-token' })
    assert.equal(response.status, 401)
    assert.equal(codeOf(response), 'UNAUTHENTICATED')
    assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer/)
  })

  it('serves queries over GET, never mutations', async () => {
    const read = await graphql('{ products(limit: 1) { limit } }', { method: 'GET' })
    assert.equal(read.status, 200)
    assert.equal(read.data.products.limit, 1)
    const write = await graphql('mutation { removeProduct(id: 1) { id } }', { method: 'GET' })
    assert.equal(write.status, 405)
  })

  it('allows introspection unless graphql.introspection is off (the production default)', async () => {
    const { app } = await testServer()
    const query = '{ __schema { queryType { name } } }'
    assert.equal((await graphql(query)).data.__schema.queryType.name, 'Query')
    const settings = app.get('graphql')
    app.set('graphql', { ...settings, introspection: false })
    try {
      const refused = await graphql(query)
      assert.equal(codeOf(refused), 'GRAPHQL_VALIDATION_FAILED')
      assert.equal(refused.data, undefined)
    } finally {
      app.set('graphql', settings)
    }
  })

  it('counts every operation in /metrics by type and status', async () => {
    const line = (text: string, labels: string) =>
      Number(text.match(new RegExp(`api_request_duration_seconds_count\\{${labels}\\} (\\d+)`))?.[1] ?? 0)
    const labels = 'transport="graphql",service="graphql",method="query",status="200"'
    const refused = 'transport="graphql",service="graphql",method="invalid",status="400"'
    const before = (await api('GET', '/metrics')).body
    await graphql('query Counted { products(limit: 1) { total } }')
    await graphql('{ products { nope } }')
    const after = (await api('GET', '/metrics')).body
    assert.equal(line(after, labels), line(before, labels) + 1)
    assert.equal(line(after, refused), line(before, refused) + 1)
    // The service call inside is counted too, under its own transport.
    assert.match(after, /transport="graphql",service="products",method="find"/)
  })
})

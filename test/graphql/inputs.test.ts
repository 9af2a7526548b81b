import assert from 'node:assert/strict'
import { unique, userWithRoles, type TestUser } from '../helpers/server'
import { codeOf, graphql, type GraphqlResponse } from '../helpers/graphql'
import { connect } from '../helpers/graphql-ws'

const INPUT_FIELDS = `query ($name: String!) {
  __type(name: $name) { inputFields { name type { kind name ofType { name } } } }
}`

/** An input type's fields as `name: Type` (`sku: String!`), read by introspection over HTTP. */
const inputFields = async (name: string) => {
  const answer = await graphql(INPUT_FIELDS, { variables: { name } })
  assert.equal(answer.errors, undefined, JSON.stringify(answer.errors))
  return Object.fromEntries(
    answer.data.__type.inputFields.map((field: any) => [
      field.name,
      field.type.kind === 'NON_NULL' ? `${field.type.ofType.name}!` : field.type.name
    ])
  )
}

const nonNull = (fields: Record<string, string>) =>
  Object.keys(fields).filter((name) => fields[name].endsWith('!'))

/** Refused before any service ran: a 400 (graphql-response+json), no data, one BAD_USER_INPUT naming the field. */
const refused = (answer: GraphqlResponse, errors: { field: string; message: string }[]) => {
  assert.equal(answer.status, 400, JSON.stringify(answer.errors))
  assert.equal(answer.data, undefined)
  assert.equal(codeOf(answer), 'BAD_USER_INPUT', JSON.stringify(answer.errors))
  assert.deepEqual(
    answer.errors!.flatMap((error) => error.extensions.errors),
    errors
  )
  for (const error of answer.errors!) {
    assert.equal(error.extensions.status, 400)
    assert.ok(!/\.ts:\d+|\n\s+at /.test(JSON.stringify(error)), 'no stack trace')
  }
}

describe('GraphQL: required input fields are non-null, and refused values name their field', () => {
  const CREATE = 'mutation ($data: ProductCreateInput!) { createProduct(data: $data) { id sku } }'
  let catalog: TestUser
  const product = () => ({ sku: unique('GQLIN'), name: 'Input test', priceCents: 100, currency: 'USD' })

  before(async () => {
    catalog = await userWithRoles(['catalog'])
  })

  it('marks non-null exactly the fields a client must send on create; patch inputs stay optional', async () => {
    const create = await inputFields('ProductCreateInput')
    assert.deepEqual(nonNull(create), ['sku', 'name', 'priceCents', 'currency'])
    // Declared with a default, or readonly (stock): optional in the type, or not there at all.
    assert.equal(create.status, 'ProductStatus')
    assert.equal(create.stock, undefined)
    assert.deepEqual(nonNull(await inputFields('ProductPatchInput')), [])
    // A behaviour requires the lines; the owner is required by the declaration but set from the caller.
    const order = await inputFields('OrderCreateInput')
    assert.deepEqual(nonNull(order), ['items'])
    assert.equal(order.userId, undefined)
    // Registration: the public and admins both write email, password and name; roles has a default.
    const user = await inputFields('UserCreateInput')
    assert.deepEqual(nonNull(user), ['email', 'password', 'name'])
    assert.equal(user.roles, 'JSON')
  })

  it('a missing required field is BAD_USER_INPUT naming it, in variables and inline', async () => {
    const { name: _name, ...withoutName } = product()
    refused(await graphql(CREATE, { token: catalog.token, variables: { data: withoutName } }), [
      { field: 'name', message: 'is required' }
    ])
    const inline = await graphql(
      `mutation { createProduct(data: { sku: "${unique('GQLIN')}", priceCents: 1, currency: USD }) { id } }`,
      { token: catalog.token }
    )
    refused(inline, [{ field: 'name', message: 'is required' }])
    assert.equal(inline.errors![0].message, 'Invalid data: name is required')
    refused(await graphql(CREATE, { token: catalog.token }), [{ field: 'data', message: 'is required' }])
  })

  it('a value of the wrong type is BAD_USER_INPUT naming the field, in variables and inline', async () => {
    refused(
      await graphql(CREATE, {
        token: catalog.token,
        variables: { data: { ...product(), priceCents: 'abc' } }
      }),
      [{ field: 'priceCents', message: 'must be an integer (32-bit)' }]
    )
    refused(
      await graphql(
        `
          mutation {
            createProduct(data: { sku: "a", name: "b", priceCents: "abc", currency: USD }) {
              id
            }
          }
        `,
        { token: catalog.token }
      ),
      [{ field: 'priceCents', message: 'must be an integer (32-bit)' }]
    )
    const currency = await graphql(CREATE, {
      token: catalog.token,
      variables: { data: { ...product(), currency: 'XXX' } }
    })
    refused(currency, [{ field: 'currency', message: currency.errors![0].extensions.errors[0].message }])
    assert.match(currency.errors![0].extensions.errors[0].message, /^must be one of (\w+, )+\w+$/)
    assert.ok(currency.errors![0].extensions.errors[0].message.includes('KRW'))
    refused(
      await graphql(CREATE, { token: catalog.token, variables: { data: { ...product(), colour: 'red' } } }),
      [{ field: 'colour', message: 'is not a known field' }]
    )
    refused(
      await graphql(CREATE, { token: catalog.token, variables: { data: { ...product(), sku: null } } }),
      [{ field: 'sku', message: 'must not be null' }]
    )
  })

  it('names a field inside other arguments by its path, and never echoes what was sent', async () => {
    refused(await graphql('{ products(where: { priceCents: { gte: "x" } }) { total } }'), [
      { field: 'where.priceCents.gte', message: 'must be an integer (32-bit)' }
    ])
    refused(
      await graphql('query ($order: [ProductOrderBy!]) { products(orderBy: $order) { total } }', {
        variables: { order: [{ field: 'name' }, { field: 'stock' }] }
      }),
      [{ field: 'order.1.field', message: 'must be one of name, priceCents, createdAt' }]
    )
    const secret = 'my very secret password'
    const registration = await graphql(
      'mutation ($data: UserCreateInput!) { createUser(data: $data) { id } }',
      { variables: { data: { email: `${unique('gqlin')}@example.com`, password: secret } } }
    )
    refused(registration, [{ field: 'name', message: 'is required' }])
    assert.ok(!JSON.stringify(registration.errors).includes(secret), 'the password is not echoed')
  })

  it('still lets the service name what only it checks (lengths, patterns), with the same shape', async () => {
    const bad = await graphql(CREATE, {
      token: catalog.token,
      variables: { data: { ...product(), sku: 'no spaces allowed', priceCents: -1 } }
    })
    assert.equal(bad.status, 200, 'executed: the service refused it')
    assert.equal(codeOf(bad), 'BAD_USER_INPUT')
    assert.deepEqual(bad.errors![0].extensions.errors.map((error: any) => error.field).sort(), [
      'priceCents',
      'sku'
    ])
  })

  it('names the field the same way over the websocket, in variables and inline', async () => {
    const client = await connect({ authorization: `Bearer ${catalog.token}` })
    try {
      // Refused before running: the errors come as the operation's `error` (graphql-ws) or in a `next`.
      const errorsOf = (query: string, variables?: Record<string, unknown>) =>
        new Promise<any>((resolve) =>
          client.subscribe(
            { query, variables },
            { next: (value) => resolve(value.errors), error: resolve, complete: () => resolve(undefined) }
          )
        )
      const inline = await errorsOf(
        'mutation { createProduct(data: { sku: "a", name: "b", priceCents: "abc", currency: USD }) { id } }'
      )
      assert.equal(inline[0].extensions.code, 'BAD_USER_INPUT', JSON.stringify(inline))
      assert.deepEqual(inline[0].extensions.errors, [
        { field: 'priceCents', message: 'must be an integer (32-bit)' }
      ])
      const variables = await errorsOf(CREATE, { data: { ...product(), priceCents: 'abc' } })
      assert.equal(variables[0].extensions.code, 'BAD_USER_INPUT', JSON.stringify(variables))
      assert.deepEqual(variables[0].extensions.errors, [
        { field: 'priceCents', message: 'must be an integer (32-bit)' }
      ])
      const currency = await errorsOf(CREATE, { data: { ...product(), currency: 'XXX' } })
      assert.equal(currency[0].extensions.errors[0].field, 'currency')
      assert.match(currency[0].extensions.errors[0].message, /^must be one of (\w+, )+\w+$/)
    } finally {
      await client.dispose()
    }
  })
})

import assert from 'node:assert/strict'
import { api, testServer } from '../helpers/server'
import { closeBrowser, openPage } from '../helpers/browser'

describe('GraphiQL at GET /graphql', function () {
  this.timeout(120_000) // the first page builds the UI
  after(closeBrowser)

  it('is served to browsers from this origin under the strict CSP, and runs a query', async () => {
    const page = await api('GET', '/graphql', { headers: { accept: 'text/html' } })
    assert.equal(page.status, 200)
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self';/)
    assert.doesNotMatch(page.body, /<script>|https?:\/\//, 'no inline script, no CDN')
    const ui = await openPage()
    await ui.page.goto(ui.url('/graphql'))
    await ui.page.locator('.graphiql-execute-button').click()
    await ui.page.locator('.graphiql-response').getByText('"total"').waitFor({ timeout: 15_000 })
    assert.deepEqual(ui.problems, [], 'no CSP violation, script error or missing file')
    await ui.context.close()
  })

  it('leaves GraphQL-over-HTTP GETs to the endpoint, and is off with introspection', async () => {
    const json = await api('GET', '/graphql?query=%7B__typename%7D')
    assert.deepEqual(json.body, { data: { __typename: 'Query' } })
    const { app } = await testServer()
    const settings = app.get('graphql')
    app.set('graphql', { ...settings, introspection: false })
    try {
      const page = await api('GET', '/graphql', { headers: { accept: 'text/html' } })
      assert.notEqual(page.status, 200)
      assert.equal((await api('GET', '/graphql/assets/graphiql.js')).status, 404)
    } finally {
      app.set('graphql', settings)
    }
  })
})

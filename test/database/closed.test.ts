import assert from 'node:assert/strict'
import { isolatedApp, type IsolatedApp } from '../helpers/isolated-app'

// A call that reaches a closed database (a request arriving while the server shuts down) is a 503 to retry
// elsewhere, never a 500: on the embedded database and on PostgreSQL alike.
describe('database: calls after the database closed', () => {
  let isolated: IsolatedApp

  before(async () => {
    isolated = await isolatedApp('test/fixtures/features')
  })

  it('answer 503 with a retry delay', async () => {
    const members = isolated.app.service('members')
    const member = await members.create({ handle: 'Closing' }, { provider: 'rest' })
    const owner = { provider: 'rest', user: { ...member, roles: [] } }
    await isolated.db.close()
    for (const call of [
      () => members.get(member.id, owner),
      () => members.create({ handle: 'Late' }, { provider: 'rest' })
    ]) {
      await assert.rejects(call(), (error: any) => {
        assert.equal(error.code, 503, `${error.code} ${error.message}`)
        assert.equal(error.name, 'Unavailable')
        assert.ok(error.data.retryAfter > 0)
        return true
      })
    }
  })
})

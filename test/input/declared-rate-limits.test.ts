import assert from 'node:assert/strict'
import { BadRequest } from '@feathersjs/errors'
import { declaredRateLimits } from '../../src/input/declared-rate-limits'

/** A limiter that records what it was asked, and an app whose `_roles.yaml` calls its administrators `root`. */
const fixture = () => {
  const calls: string[] = []
  const limiter = {
    assertAllowed: async (kind: string) => void calls.push(`assert ${kind}`),
    consume: async (kind: string) => void calls.push(`consume ${kind}`)
  }
  const settings: Record<string, unknown> = { rateLimiter: limiter, administrativeRoles: ['root'] }
  const app = { get: (key: string) => settings[key] } as any
  return { calls, hook: declaredRateLimits(app) }
}

const failing = async () => {
  throw new BadRequest('invalid body')
}

const context = (rateLimit: Record<string, string>, extra: Record<string, unknown> = {}) =>
  ({
    method: 'create',
    self: { resource: { name: 'members', rateLimit } },
    params: { provider: 'rest', ip: '10.1.2.3', ...extra }
  }) as any

describe('input/declared-rate-limits: rateLimit in the resource YAML', () => {
  it('counts a refused attempt on the limiter the declaration names, checking anonymous callers first', async () => {
    const { calls, hook } = fixture()
    await assert.rejects(hook(context({ create: 'loginAddress' }), failing), BadRequest)
    assert.deepEqual(calls, ['assert loginAddress', 'consume loginAddress'])
  })

  it('leaves methods the declaration does not limit alone', async () => {
    const { calls, hook } = fixture()
    await assert.rejects(hook(context({ patch: 'registration' }), failing), BadRequest)
    await assert.rejects(hook(context({}), failing), BadRequest)
    assert.deepEqual(calls, [])
  })

  it('exempts the roles declared administrative, whatever their name, and only those', async () => {
    const { calls, hook } = fixture()
    const as = (roles: string[]) =>
      context({ create: 'registration' }, { authentication: { strategy: 'jwt' }, user: { id: 1, roles } })
    await assert.rejects(hook(as(['root']), failing), BadRequest)
    assert.deepEqual(calls, [], 'root is administrative in this fixture')
    await assert.rejects(hook(as(['admin']), failing), BadRequest)
    assert.deepEqual(calls, ['consume registration'], "'admin' is just a name here")
  })
})

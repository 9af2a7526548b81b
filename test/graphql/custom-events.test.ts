import assert from 'node:assert/strict'
import type { Params } from '@feathersjs/feathers'
import { parse, printSchema, subscribe } from 'graphql'
import { buildGraphqlSchema } from '../../src/engine/graphql/schema'
import { graphqlContext } from '../../src/engine/graphql/context'
import { channelsFor } from '../../src/engine/runtime/policy'
import { isolatedApp, type IsolatedApp } from '../helpers/isolated-app'

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// A declared custom event (`events: [escalated]`) gets a subscription, `<type><Event>`, with the audience of its
// standard events: the fixture's alerts are read by their owner and admins.
describe('GraphQL subscriptions of declared custom events', () => {
  let isolated: IsolatedApp
  before(async () => {
    isolated = await isolatedApp('test/fixtures/graphql-events')
  })
  after(async () => {
    await isolated?.close()
  })

  /** A subscription as the transport runs it for a caller: the schema's own `subscribe`, the caller's params. */
  const listen = async (user: { id: number; roles: string[] }) => {
    const schema = buildGraphqlSchema(isolated.resources)
    const stream = (await subscribe({
      schema,
      document: parse('subscription { alertEscalated { id text ownerId } }'),
      contextValue: graphqlContext(isolated.app, { provider: 'graphql', user } as Params)
    })) as AsyncIterableIterator<any>
    assert.equal(typeof stream[Symbol.asyncIterator], 'function', JSON.stringify(stream))
    const received: any[] = []
    void (async () => {
      for await (const result of stream) received.push(result)
    })()
    return { received, stop: () => stream.return?.() }
  }

  it('names it <type><Event> in the schema', () => {
    const sdl = printSchema(buildGraphqlSchema(isolated.resources))
    assert.match(sdl, /\n {2}alertEscalated: Alert!\n/)
    assert.match(sdl, /\n {2}alertCreated: Alert!\n/)
  })

  it('refuses two subscriptions of one name (a custom event meeting another resource’s standard one)', () => {
    const alerts = isolated.resources.find((declaration) => declaration.name === 'alerts')!
    const clash = { ...alerts, events: ['escalatedCreated'] }
    const other = {
      ...alerts,
      name: 'alert-escalateds',
      path: 'alert-escalateds',
      file: 'alert-escalateds.yaml'
    }
    assert.throws(
      () => buildGraphqlSchema([clash, other]),
      /the GraphQL subscription 'alertEscalatedCreated' is also another resource's/
    )
  })

  it('delivers it to the owner and admins, as Socket.io sends it to their channels, and to nobody else', async () => {
    const members = isolated.app.service('members')
    const [ann, boss, cid] = await Promise.all(['ann', 'boss', 'cid'].map((name) => members.create({ name })))
    const owner = await listen({ id: ann.id, roles: ['customer'] })
    const admin = await listen({ id: boss.id, roles: ['admin'] })
    const other = await listen({ id: cid.id, roles: ['customer'] })
    const alert = await isolated.app.service('alerts').create({ text: 'disk full', ownerId: ann.id })
    isolated.app.service('alerts').emit('escalated', alert)
    await wait(200)
    const texts = (listener: { received: any[] }) =>
      listener.received.map((result) => result.data?.alertEscalated?.text ?? result.errors)
    assert.deepEqual(texts(owner), ['disk full'])
    assert.deepEqual(texts(admin), ['disk full'])
    assert.deepEqual(texts(other), [])
    // Socket.io's channels for the same record: the owner's and the admins'.
    const resource = isolated.resources.find((declaration) => declaration.name === 'alerts')!
    assert.deepEqual(channelsFor(resource, alert).sort(), ['roles/admin', `users/${ann.id}`])
    // A standard event is not a custom one's.
    await isolated.app.service('alerts').create({ text: 'quiet', ownerId: ann.id })
    await wait(100)
    assert.deepEqual(texts(owner), ['disk full'])
    for (const listener of [owner, admin, other]) await listener.stop()
  })
})

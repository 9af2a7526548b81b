import assert from 'node:assert/strict'
import { asUser, isolatedApp, type IsolatedApp } from '../../helpers/isolated-app'

// Calls with `provider` set go through the whole external pipeline, as REST and Socket.io calls do.
describe('engine: declared features (soft delete, version, json schemas, owners, update)', () => {
  let isolated: IsolatedApp
  let tasks: any
  let alice: { id: number; roles: string[] }
  let bob: { id: number; roles: string[] }
  const as = asUser

  before(async () => {
    isolated = await isolatedApp('test/fixtures/features')
    tasks = isolated.app.service('tasks')
    const members = isolated.app.service('members')
    alice = { ...(await members.create({ handle: 'Alice' }, { provider: 'rest' })), roles: [] }
    bob = { ...(await members.create({ handle: 'bob' }, { provider: 'rest' })), roles: [] }
  })
  after(() => isolated.close())

  it('sets the owner from the caller, refuses another owner, and applies declared defaults', async () => {
    const task = await tasks.create({ title: 'Write docs' }, as(alice))
    assert.equal(task.ownerId, alice.id)
    await assert.rejects(tasks.create({ title: 'Planted', ownerId: bob.id }, as(alice)), {
      code: 400,
      message: "Field 'ownerId' is read-only for you"
    })
    await assert.rejects(tasks.patch(task.id, { ownerId: bob.id }, as(alice)), { code: 400 })
    assert.equal(task.done, false)
    assert.deepEqual(task.labels, [])
    assert.equal(task.version, 1)
    assert.equal(task.deletedAt, null)
  })

  it('validates json fields against their declared schema', async () => {
    await assert.rejects(tasks.create({ title: 't', labels: ['x', 'y', 'z', 'w'] }, as(alice)), {
      code: 400,
      errors: [{ field: 'labels', message: 'must NOT have more than 3 items' }]
    })
    await assert.rejects(tasks.create({ title: 't', meta: { colour: 1 } }, as(alice)), (error: any) =>
      error.errors.some((e: any) => e.field === 'meta.colour')
    )
    const stored = await tasks.create(
      { title: 'Tagged', labels: ['a', 'b'], meta: { source: 'cli' } },
      as(alice)
    )
    assert.deepEqual(stored.labels, ['a', 'b'])
    assert.deepEqual(stored.meta, { source: 'cli' })
  })

  it('keeps numbers, booleans and timestamps in their JSON types', async () => {
    const task = await tasks.create(
      { title: 'Typed', estimate: 2.5, dueAt: '2030-01-02T03:04:05.000Z', done: true },
      as(alice)
    )
    assert.equal(task.estimate, 2.5)
    assert.equal(task.done, true)
    assert.equal(task.dueAt, '2030-01-02T03:04:05.000Z')
    const found = await tasks.find(as(alice, { dueAt: { $gt: '2029-12-31T00:00:00.000Z' }, done: true }))
    assert.deepEqual(
      found.data.map((t: any) => t.id),
      [task.id]
    )
  })

  it('scopes owners by the query: another member sees, patches and removes nothing of theirs', async () => {
    const task = await tasks.create({ title: 'Private' }, as(alice))
    await assert.rejects(tasks.get(task.id, as(bob)), { code: 404 })
    await assert.rejects(tasks.patch(task.id, { title: 'Mine now' }, as(bob)), { code: 404 })
    await assert.rejects(tasks.remove(task.id, as(bob)), { code: 404 })
    const bobs = await tasks.find(as(bob, { $limit: 5 }))
    assert.ok(bobs.data.every((t: any) => t.ownerId === bob.id))
    assert.equal((await tasks.get(task.id, as(alice))).title, 'Private')
  })

  it('paginates with the declared default and clamps $limit to the declared max', async () => {
    for (const title of ['p1', 'p2', 'p3', 'p4', 'p5', 'p6']) await tasks.create({ title }, as(bob))
    assert.equal((await tasks.find(as(bob))).limit, 2)
    const clamped = await tasks.find(as(bob, { $limit: 50 }))
    assert.equal(clamped.limit, 5)
    assert.equal(clamped.data.length, 5)
  })

  it('treats a stale version as a 409 and changes nothing', async () => {
    const task = await tasks.create({ title: 'Versioned' }, as(alice))
    const first = await tasks.patch(task.id, { title: 'First', version: 1 }, as(alice))
    assert.equal(first.version, 2)
    await assert.rejects(tasks.patch(task.id, { title: 'Stale', version: 1 }, as(alice)), {
      code: 409,
      message: 'version 1 is stale; the current version is 2'
    })
    assert.equal((await tasks.get(task.id, as(alice))).title, 'First')
    const unconditional = await tasks.patch(task.id, { notes: 'no precondition' }, as(alice))
    assert.equal(unconditional.version, 3)
  })

  it('replaces client fields on update and keeps server-set ones', async () => {
    const task = await tasks.create({ title: 'Replace me', notes: 'old', labels: ['x'] }, as(alice))
    const replaced = await tasks.update(task.id, { title: 'Replaced' }, as(alice))
    assert.equal(replaced.title, 'Replaced')
    assert.equal(replaced.notes, null, 'omitted optional fields are cleared')
    assert.deepEqual(replaced.labels, [], 'omitted defaulted fields return to their default')
    assert.equal(replaced.createdAt, task.createdAt, 'createdAt survives')
    assert.equal(replaced.version, task.version + 1)
    await assert.rejects(tasks.update(task.id, { title: 'x', id: task.id + 1 }, as(alice)), {
      code: 400
    })
  })

  it('takes version as a precondition on update too (a stale one is a 409), as on patch', async () => {
    const task = await tasks.create({ title: 'Versioned' }, as(alice))
    await assert.rejects(tasks.update(task.id, { title: 'Late', version: task.version + 1 }, as(alice)), {
      code: 409,
      data: { field: 'version', current: task.version }
    })
    const replaced = await tasks.update(task.id, { title: 'On time', version: task.version }, as(alice))
    assert.equal(replaced.version, task.version + 1)
    const header = { ...as(alice), headers: { 'if-match': `"${task.version}"` } }
    await assert.rejects(tasks.update(task.id, { title: 'Stale header' }, header), { code: 409 })
    await assert.rejects(tasks.create({ title: 'x', version: 1 }, as(alice)), { code: 400 })
  })

  it('soft-deletes: removed rows disappear from find and get but stay in the table', async () => {
    const task = await tasks.create({ title: 'Short-lived' }, as(alice))
    const removed = await tasks.remove(task.id, as(alice))
    assert.ok(removed.deletedAt)
    await assert.rejects(tasks.get(task.id, as(alice)), { code: 404 })
    const found = await tasks.find(as(alice, { title: 'Short-lived' }))
    assert.equal(found.total, 0)
    const [row] = await isolated.db.knex('tasks').where({ id: task.id })
    assert.equal(row.title, 'Short-lived')
  })

  it('lowercases declared fields and reports unique violations as 409 naming the field', async () => {
    await assert.rejects(isolated.app.service('members').create({ handle: 'ALICE' }, { provider: 'rest' }), {
      code: 409,
      data: { field: 'handle' }
    })
  })

  it('searches with $ilike only on search fields and rejects undeclared operators', async () => {
    await tasks.create({ title: 'Find the needle' }, as(alice))
    const found = await tasks.find(as(alice, { title: { $ilike: '%NEEDLE%' } }))
    assert.equal(found.data[0].title, 'Find the needle')
    await assert.rejects(tasks.find(as(alice, { done: { $gt: true } })), (error: any) =>
      error.errors.some((e: any) => e.field === 'done.$gt')
    )
    await assert.rejects(tasks.find(as(alice, { notes: 'x' })), { code: 400 })
  })
})

describe('engine: row conditions hold for writes', () => {
  let isolated: IsolatedApp
  let posts: any
  let member: { id: number; roles: string[] }
  const admin = { id: 999, roles: ['admin'] }
  const as = (user: { id: number; roles: string[] }) => ({ provider: 'rest', user })

  before(async () => {
    isolated = await isolatedApp('test/fixtures/features')
    posts = isolated.app.service('posts')
    member = { ...(await isolated.app.service('members').create({ handle: 'writer' })), roles: [] }
  })
  after(() => isolated.close())

  it('lets a member create drafts (the default) but not published posts', async () => {
    assert.equal((await posts.create({ title: 'Draft' }, as(member))).status, 'draft')
    await assert.rejects(posts.create({ title: 'Sneaky', status: 'published' }, as(member)), { code: 403 })
  })

  it('does not let a member move a row out of their scope, but lets an admin', async () => {
    const post = await posts.create({ title: 'Mine' }, as(member))
    await assert.rejects(posts.patch(post.id, { status: 'published' }, as(member)), { code: 403 })
    assert.equal((await posts.patch(post.id, { title: 'Still a draft' }, as(member))).title, 'Still a draft')
    assert.equal((await posts.patch(post.id, { status: 'published' }, as(admin))).status, 'published')
    await assert.rejects(posts.patch(post.id, { title: 'Edit published' }, as(member)), { code: 404 })
  })

  it('sends the whole record in events but only the selected fields in the response', async () => {
    const events: any[] = []
    // What sockets receive is the dispatched record (see src/transports/channels.ts)
    posts.on('patched', (_data: any, context: any) => events.push(context.dispatch))
    const post = await posts.create({ title: 'Selected' }, as(member))
    const response = await posts.patch(
      post.id,
      { title: 'Selected 2' },
      { ...as(member), query: { $select: ['title'] } }
    )
    assert.deepEqual(Object.keys(response).sort(), ['id', 'title'])
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(events.at(-1).status, 'draft', 'the event has every field')
  })
})

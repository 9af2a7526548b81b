import assert from 'node:assert/strict'
import fs from 'node:fs'
import { setTimeout as delay } from 'node:timers/promises'
import config from 'config'
import { isolatedApp, type IsolatedApp } from '../../helpers/isolated-app'
import { connectDatabase, MEMORY } from '../../../src/database/connect'
import { purgeExpiredIdempotencyKeys } from '../../../src/engine/pipeline/idempotency'

type User = { id: number; roles: string[] }

/** The most sessions seen waiting at once for a lock on an insert into idempotency_keys (PostgreSQL only). */
const watchLockWaits = async () => {
  const own = await connectDatabase({
    url: config.get('database.url'),
    dataDir: MEMORY,
    acquireConnectionTimeout: 5000
  })
  let most = 0
  let running = true
  const polling = (async () => {
    while (running) {
      const [{ n }] = (
        await own.knex.raw(
          `select count(*)::int as n from pg_stat_activity where datname = current_database()
             and wait_event_type = 'Lock' and query ilike '%insert into "idempotency_keys"%'`
        )
      ).rows
      most = Math.max(most, n)
      await delay(5)
    }
  })()
  return {
    stop: async () => {
      running = false
      await polling
      await own.close()
      return most
    }
  }
}

// Calls carry what @feathersjs/koa gives a REST call: `provider: 'rest'` and the request headers.
describe('engine: Idempotency-Key on idempotent resources', () => {
  let isolated: IsolatedApp
  let notes: any
  let knex: any
  const alice: User = { id: 1, roles: [] }
  const bob: User = { id: 2, roles: [] }
  let sequence = 0
  const newKey = () => `key-${process.pid}-${++sequence}`
  // A fresh params object per call: hooks write into params (query, rowScope, transaction).
  const rest = (key: string | undefined, user?: User, extra: Record<string, unknown> = {}) => ({
    provider: 'rest',
    headers: key === undefined ? {} : { 'idempotency-key': key },
    ...(user && { user }),
    ...extra
  })
  const count = async (table: string, where: Record<string, unknown> = {}) =>
    Number((await knex(table).where(where).count({ n: '*' }))[0].n)
  const keyRows = (key: string) => knex('idempotency_keys').where({ key })

  before(async () => {
    isolated = await isolatedApp('test/fixtures/idempotency')
    notes = isolated.app.service('notes')
    knex = isolated.db.knex
  })
  after(() => isolated.close())

  it('uses the shipped idempotency-keys declaration', () => {
    assert.equal(
      fs.readFileSync('test/fixtures/idempotency/idempotency-keys.yaml', 'utf8'),
      fs.readFileSync('src/contexts/system/idempotency-keys.yaml', 'utf8')
    )
  })

  it('replays a create: the same result, one record, one key row, hidden fields neither returned nor stored', async () => {
    const key = newKey()
    const body = { title: 'Replayed', secret: 's3cret' }
    const first = await notes.create(body, rest(key, alice))
    const again = await notes.create({ secret: 's3cret', title: 'Replayed' }, rest(key, alice))
    assert.deepEqual(again, first)
    assert.equal(first.secret, undefined)
    assert.equal(await count('notes', { title: 'Replayed' }), 1)
    const rows = await keyRows(key)
    assert.equal(rows.length, 1)
    assert.equal(rows[0].scope, 'user:1')
    assert.equal(rows[0].method, 'create')
    assert.deepEqual(rows[0].response, first)
    assert.ok(!JSON.stringify(rows[0].response).includes('s3cret'))
  })

  it('replays patch and remove without a second effect', async () => {
    const note = await notes.create({ title: 'Patch me' }, rest(undefined, alice))
    const key = newKey()
    const patched = await notes.patch(note.id, { body: 'once' }, rest(key, alice))
    assert.deepEqual(await notes.patch(note.id, { body: 'once' }, rest(key, alice)), patched)
    assert.equal((await notes.get(note.id)).version, 2, 'the version moved once')
    const removeKey = newKey()
    const removed = await notes.remove(note.id, rest(removeKey, alice))
    assert.deepEqual(await notes.remove(note.id, rest(removeKey, alice)), removed, 'not a 404')
  })

  it('applies the caller $select to a replay as to the first response', async () => {
    const key = newKey()
    const selected = (select: string[]) => rest(key, alice, { query: { $select: select } })
    const first = await notes.create({ title: 'Selected' }, selected(['title']))
    assert.deepEqual(Object.keys(first).sort(), ['id', 'title'])
    assert.deepEqual(await notes.create({ title: 'Selected' }, selected(['title'])), first)
    const whole = await notes.create({ title: 'Selected' }, rest(key, alice))
    assert.equal(whole.id, first.id)
    assert.equal(whole.version, 1)
  })

  it('answers 422 naming the header when the key comes back with another request, and changes nothing', async () => {
    const key = newKey()
    const note = await notes.create({ title: 'Original' }, rest(key, alice))
    const before = await count('notes')
    const refused = { code: 422, name: 'Unprocessable', message: /Idempotency-Key/ }
    await assert.rejects(notes.create({ title: 'Other' }, rest(key, alice)), refused)
    await assert.rejects(notes.patch(note.id, { title: 'Original' }, rest(key, alice)), refused)
    await assert.rejects(notes.remove(note.id, rest(key, alice)), refused)
    assert.equal(await count('notes'), before)
    assert.equal((await notes.get(note.id)).title, 'Original')
  })

  it('keeps keys per caller: users and anonymous callers with one key are independent', async () => {
    const key = newKey()
    const body = { title: 'Same key, three callers' }
    const ids = [
      (await notes.create(body, rest(key, alice))).id,
      (await notes.create(body, rest(key, bob))).id,
      (await notes.create(body, rest(key))).id,
      (
        await notes.create(
          body,
          rest(key, undefined, { apiKey: { id: 7, name: 'svc', scopes: [{ resource: 'notes' }] } })
        )
      ).id
    ]
    assert.equal(new Set(ids).size, 4)
    assert.deepEqual((await keyRows(key)).map((row: any) => row.scope).sort(), [
      'anonymous',
      'apikey:7',
      'user:1',
      'user:2'
    ])
  })

  it('changes nothing without the header', async () => {
    const keys = await count('idempotency_keys')
    await notes.create({ title: 'No key' }, rest(undefined, alice))
    await notes.create({ title: 'No key' }, rest(undefined, alice))
    assert.equal(await count('notes', { title: 'No key' }), 2)
    assert.equal(await count('idempotency_keys'), keys)
  })

  it('stores nothing for a failed request, so the same key can be retried', async () => {
    const blocker = await notes.create({ title: 'Blocker', code: 'taken' })
    const key = newKey()
    await assert.rejects(notes.create({ title: 'Retry me', code: 'taken' }, rest(key, alice)), { code: 409 })
    assert.equal((await keyRows(key)).length, 0)
    await notes.remove(blocker.id)
    const created = await notes.create({ title: 'Retry me', code: 'taken' }, rest(key, alice))
    assert.deepEqual(await notes.create({ title: 'Retry me', code: 'taken' }, rest(key, alice)), created)
    assert.equal(await count('notes', { code: 'taken' }), 1)
  })

  it('treats an expired key as new, and sets the expiry from the configured ttl', async () => {
    const key = newKey()
    const first = await notes.create({ title: 'Expiring' }, rest(key, alice))
    await keyRows(key).update({ expiresAt: knex.raw(`now() - interval '1 second'`) })
    const second = await notes.create({ title: 'Expiring, new body' }, rest(key, alice))
    assert.notEqual(second.id, first.id)
    const [row] = await keyRows(key)
    assert.deepEqual(row.response, second)
    const hoursLeft = (Date.parse(row.expiresAt) - Date.now()) / 3_600_000
    assert.ok(hoursLeft > 23.9 && hoursLeft <= 24.01, `default ttl 24 h, got ${hoursLeft}`)

    isolated.app.set('idempotency', { ttlHours: 2 })
    try {
      const shortKey = newKey()
      await notes.create({ title: 'Short-lived key' }, rest(shortKey, alice))
      const [short] = await keyRows(shortKey)
      const left = (Date.parse(short.expiresAt) - Date.now()) / 3_600_000
      assert.ok(left > 1.9 && left <= 2.01, `ttl 2 h, got ${left}`)
    } finally {
      isolated.app.set('idempotency', undefined)
    }
  })

  it('runs twenty concurrent requests with one key into one effect and one response', async () => {
    const key = newKey()
    // The first effect takes a while, so the others certainly meet its key row before it commits.
    const create = notes._create
    notes._create = async function (this: any, ...args: unknown[]) {
      await delay(150)
      return create.apply(this, args)
    }
    const watcher = isolated.db.kind === 'postgres' ? await watchLockWaits() : undefined
    let responses: any[]
    try {
      responses = await Promise.all(
        Array.from({ length: 20 }, () => notes.create({ title: 'Concurrent' }, rest(key, bob)))
      )
    } finally {
      notes._create = create
    }
    const waiting = await watcher?.stop()
    // On PostgreSQL (a pool of 10) the requests really overlap: some block on the uncommitted key row.
    if (watcher) assert.ok(waiting! > 0, 'no request waited for the first one')
    assert.equal(await count('notes', { title: 'Concurrent' }), 1)
    for (const response of responses) assert.deepEqual(response, responses[0])
    assert.equal((await keyRows(key)).length, 1)
  })

  it('sends no second realtime event for a replay', async () => {
    const events: any[] = []
    const listener = (record: any) => events.push(record)
    notes.on('created', listener)
    notes.on('patched', listener)
    try {
      const key = newKey()
      const note = await notes.create({ title: 'Announced once' }, rest(key, alice))
      await notes.create({ title: 'Announced once' }, rest(key, alice))
      const patchKey = newKey()
      await notes.patch(note.id, { body: 'x' }, rest(patchKey, alice))
      await notes.patch(note.id, { body: 'x' }, rest(patchKey, alice))
      assert.deepEqual(
        events.map((record) => [record.id, record.version]),
        [
          [note.id, 1],
          [note.id, 2]
        ]
      )
    } finally {
      notes.removeListener('created', listener)
      notes.removeListener('patched', listener)
    }
  })

  it('answers 400 naming the header for a key that is too long or has control characters', async () => {
    const invalid = { code: 400, message: /Idempotency-Key/ }
    await assert.rejects(notes.create({ title: 'k' }, rest('k'.repeat(256), alice)), invalid)
    await assert.rejects(notes.create({ title: 'k' }, rest('line\nbreak', alice)), invalid)
    await assert.rejects(notes.create({ title: 'k' }, rest('', alice)), invalid)
    assert.ok(await notes.create({ title: 'k' }, rest('k'.repeat(255), alice)))
  })

  it('ignores the header on resources not declared idempotent, over Socket.io and on internal calls', async () => {
    const drafts = isolated.app.service('drafts')
    const key = newKey()
    await drafts.create({ title: 'Twice' }, rest(key, alice))
    await drafts.create({ title: 'Twice' }, rest(key, alice))
    await drafts.create({ title: 'Twice' }, rest('bad\u0000key', alice))
    assert.equal(await count('drafts', { title: 'Twice' }), 3)
    const socket = () => ({ provider: 'socketio', headers: { 'idempotency-key': key }, user: alice })
    await notes.create({ title: 'Over a socket' }, socket())
    await notes.create({ title: 'Over a socket' }, socket())
    await notes.create({ title: 'Over a socket' }, { headers: { 'idempotency-key': key } })
    assert.equal(await count('notes', { title: 'Over a socket' }), 3)
    assert.equal((await keyRows(key)).length, 0)
  })

  it('purges expired keys', async () => {
    const key = newKey()
    await notes.create({ title: 'Purged key' }, rest(key, alice))
    await keyRows(key).update({ expiresAt: knex.raw(`now() - interval '1 second'`) })
    assert.ok((await purgeExpiredIdempotencyKeys(knex)) >= 1)
    assert.equal((await keyRows(key)).length, 0)
  })

  it('closes the key store to every external caller', async () => {
    const keys = isolated.app.service('idempotency-keys')
    await assert.rejects(keys.find({ provider: 'rest', user: { id: 1, roles: ['admin'] } }), { code: 405 })
    await assert.rejects(keys.create({}, { provider: 'rest' }), { code: 405 })
  })
})

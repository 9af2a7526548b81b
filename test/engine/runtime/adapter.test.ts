import assert from 'node:assert/strict'
import errors from '@feathersjs/errors'
import adapterTests, { type AdapterTestName } from '@feathersjs/adapter-tests'
import { isolatedApp, type IsolatedApp } from '../../helpers/isolated-app'

// Every test of the suite Feathers' own database adapters pass.
const testNames: AdapterTestName[] = [
  '.options',
  '.events',
  '._get',
  '._find',
  '._create',
  '._update',
  '._patch',
  '._remove',
  '.get',
  '.get + $select',
  '.get + id + query',
  '.get + NotFound',
  '.get + NotFound (integer)',
  '.get + id + query id',
  '.find',
  '.remove',
  '.remove + $select',
  '.remove + id + query',
  '.remove + NotFound',
  '.remove + NotFound (integer)',
  '.remove + multi',
  '.remove + multi no pagination',
  '.remove + id + query id',
  '.update',
  '.update + $select',
  '.update + id + query',
  '.update + NotFound',
  '.update + NotFound (integer)',
  '.update + query + NotFound',
  '.update + id + query id',
  '.patch',
  '.patch + $select',
  '.patch + id + query',
  '.patch multiple',
  '.patch multiple no pagination',
  '.patch multi query same',
  '.patch multi query changed',
  '.patch + NotFound',
  '.patch + NotFound (integer)',
  '.patch + query + NotFound',
  '.patch + id + query id',
  '.create',
  '.create + $select',
  '.create multi',
  '.create ignores query',
  'internal .find',
  'internal .get',
  'internal .create',
  'internal .update',
  'internal .patch',
  'internal .remove',
  '.find + equal',
  '.find + equal multiple',
  '.find + $sort',
  '.find + $sort + string',
  '.find + $limit',
  '.find + $limit 0',
  '.find + $skip',
  '.find + $select',
  '.find + $or',
  '.find + $in',
  '.find + $nin',
  '.find + $lt',
  '.find + $lte',
  '.find + $gt',
  '.find + $gte',
  '.find + $ne',
  '.find + $gt + $lt + $sort',
  '.find + $or nested + $sort',
  '.find + $and',
  '.find + $and + $or',
  'params.adapter + paginate',
  'params.adapter + multi',
  '.find + paginate',
  '.find + paginate + query',
  '.find + paginate + $limit + $skip',
  '.find + paginate + $limit 0',
  '.find + paginate + params'
]

describe('engine: a service compiled from a declaration passes @feathersjs/adapter-tests', () => {
  let isolated: IsolatedApp
  // The suite looks the service up when each test runs, after `before` has built the app.
  const app = { service: (name: string) => isolated.app.service(name) }

  before(async () => {
    isolated = await isolatedApp('test/fixtures/adapter')
  })
  after(() => isolated.close())

  adapterTests(testNames)(app, errors, 'people', 'id')
})

describe('engine: writes take one statement each', () => {
  let isolated: IsolatedApp
  let statements: string[]
  const record = (query: any) => {
    if (!/^(begin|commit|rollback)/i.test(query.sql)) statements.push(query.sql)
  }

  before(async () => {
    isolated = await isolatedApp('test/fixtures/adapter')
    isolated.db.knex.on('query', record)
  })
  after(() => isolated.close())
  beforeEach(() => (statements = []))

  it('creates with one INSERT … RETURNING and patches with one UPDATE … RETURNING, within the query', async () => {
    const people = isolated.app.service('people')
    const ann = await people.create({ name: 'Ann', age: 30 })
    // And one INSERT for the change's event, in the same transaction (src/engine/events/outbox.ts).
    assert.deepEqual(
      statements.map((sql) => sql.split(' ')[0]),
      ['insert', 'insert']
    )
    assert.match(statements[0], /returning \*/)
    assert.match(statements[1], /^insert into "outbox_events"/)

    statements = []
    assert.deepEqual(await people.patch(ann.id, { age: 31 }), { ...ann, age: 31 })
    assert.deepEqual(
      statements.map((sql) => sql.split(' ')[0]),
      ['update', 'insert']
    )
    assert.match(statements[0], /returning \*/)

    // The caller's query still narrows the row: outside it, a patch finds nothing and changes nothing.
    await assert.rejects(people.patch(ann.id, { age: 99 }, { query: { name: 'Bob' } }), { name: 'NotFound' })
    assert.equal((await people.get(ann.id)).age, 31)
    assert.deepEqual(await people.patch(ann.id, { age: 32 }, { query: { $select: ['age'] } }), {
      id: ann.id,
      age: 32
    })
  })
})

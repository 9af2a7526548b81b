import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { feathers } from '@feathersjs/feathers'
import errors from '@feathersjs/errors'
import adapterTests, { type AdapterTestName } from '@feathersjs/adapter-tests'
import config from 'config'
import { connectDatabase, MEMORY, type Database } from '../../src/database/connect'
import { runMigrations } from '../../src/database/migrate'
import { loadDeclarations } from '../../src/engine/load'
import { diffSchemas } from '../../src/engine/migration-diff'
import { schemaModel } from '../../src/engine/table-model'
import { registerResource } from '../../src/engine/register'
import { createLogger } from '../../src/logger'

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
  const app = feathers()
  let db: Database
  const [people] = loadDeclarations('test/fixtures/adapter')

  before(async () => {
    // Its own database (in memory, or a fresh schema on PostgreSQL), migrated by a generated migration.
    const url = config.get<string>('database.url')
    db = await connectDatabase({ url, dataDir: MEMORY, acquireConnectionTimeout: 5000 })
    const schema = `adapter_${process.pid}`
    if (db.kind === 'postgres') {
      await db.knex.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`)
      await db.close()
      db = await connectDatabase({
        url: url,
        dataDir: MEMORY,
        acquireConnectionTimeout: 5000,
        searchPath: schema
      })
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'adapter-migrations-'))
    fs.writeFileSync(
      path.join(dir, '20260101000000_people.ts'),
      diffSchemas({}, schemaModel([people]), 'people')!
    )
    await runMigrations(db.knex, dir)
    app.set('knex', db.knex)
    app.set('logger', createLogger('silent'))
    registerResource(app as any, people)
  })

  after(async () => {
    if (db.kind === 'postgres') await db.knex.raw(`DROP SCHEMA IF EXISTS adapter_${process.pid} CASCADE`)
    await db.close()
  })

  adapterTests(testNames)(app, errors, 'people', 'id')
})

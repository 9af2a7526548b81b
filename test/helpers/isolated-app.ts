import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { feathers } from '@feathersjs/feathers'
import config from 'config'
import { connectDatabase, MEMORY, type Database } from '../../src/database/connect'
import { watchChanges } from '../../src/database'
import { runMigrations } from '../../src/database/migrate'
import type { ResourceDeclaration } from '../../src/engine/declarations/declaration'
import { loadDeclarations } from '../../src/engine/declarations/load'
import { diffSchemas } from '../../src/engine/migrations/migration-diff'
import { schemaModel } from '../../src/engine/migrations/table-model'
import { registerResources } from '../../src/engine/runtime/register'
import { createLogger } from '../../src/logger'
import { emptyDomain, type Domain } from '../../src/engine/domain'
import { createEventTables } from '../../migrations/20261207162137_event-driven-core'

export interface IsolatedApp {
  app: any
  db: Database
  resources: ResourceDeclaration[]
  close: () => Promise<void>
}

/**
 * Test declarations compiled into a bare Feathers app on a database of their own (in-memory PGlite, or a
 * fresh schema on the PostgreSQL of DATABASE_URL), its tables made by a migration generated from them, and the
 * event machinery's tables.
 */
export const isolatedApp = async (
  resourcesDir: string,
  domain: Domain = emptyDomain
): Promise<IsolatedApp> => {
  const resources = loadDeclarations(resourcesDir, domain)
  const url = config.get<string>('database.url')
  const schema = `test_${path.basename(resourcesDir).replace(/\W/g, '_')}_${process.pid}`
  if (url) {
    const admin = await connectDatabase({ url, dataDir: MEMORY, acquireConnectionTimeout: 5000 })
    await admin.knex.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`)
    await admin.close()
  }
  const db = await connectDatabase({
    url,
    dataDir: MEMORY,
    acquireConnectionTimeout: 5000,
    searchPath: schema
  })
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'))
  fs.writeFileSync(path.join(dir, '20260101000000_init.ts'), diffSchemas({}, schemaModel(resources), 'init')!)
  await runMigrations(db.knex, dir)
  fs.rmSync(dir, { recursive: true, force: true })
  // The event machinery's tables (outbox, consumers' marks, leases), as the real migration makes them.
  await createEventTables(db.knex)
  const app = feathers()
  app.set('knex', db.knex)
  watchChanges(app as any, db.knex, config.get<number>('totals.cacheSeconds'))
  app.set('logger', createLogger({ level: 'silent' }))
  registerResources(app as any, resources, domain)
  return {
    app,
    db,
    resources,
    close: async () => {
      if (db.kind === 'postgres') await db.knex.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await db.close()
    }
  }
}

/** Params of an external call by `user` (as REST and Socket.io calls are), with an optional query. */
export const asUser = (user: { id: number; roles: string[] }, query: Record<string, unknown> = {}) => ({
  provider: 'rest',
  user,
  query
})

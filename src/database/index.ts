import type { Knex } from 'knex'
import type { Application } from '../declarations'
import { connectDatabase } from './connect'
import { TableChanges } from './table-changes'
import { TotalsCache } from './totals-cache'

/** PostgreSQL when `database.url` (DATABASE_URL) is set, the embedded PGlite otherwise. */
export const database = async (app: Application) => {
  const db = await connectDatabase(app.get('database'))
  app.set('knex', db.knex)
  app.set('databaseKind', db.kind)
  app.set('closeDatabase', db.close)
  watchChanges(app, db.knex, app.get('totals').cacheSeconds)
}

/** Which tables each statement and transaction changed, and the page totals that depend on them. */
export const watchChanges = (app: Application, knex: Knex, totalsCacheSeconds: number) => {
  const changes = new TableChanges(knex)
  app.set('tableChanges', changes)
  app.set('totalsCache', new TotalsCache(totalsCacheSeconds * 1000, changes))
}

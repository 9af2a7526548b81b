import type { Application } from '../declarations'
import { connectDatabase } from './connect'

/** PostgreSQL when `database.url` (DATABASE_URL) is set, the embedded PGlite otherwise. */
export const database = async (app: Application) => {
  const db = await connectDatabase(app.get('database'))
  app.set('knex', db.knex)
  app.set('databaseKind', db.kind)
  app.set('closeDatabase', db.close)
}

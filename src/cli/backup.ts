import fs from 'node:fs'
import path from 'node:path'
import config from 'config'
import { MEMORY, type DatabaseConfig } from '../database/connect'
import {
  backupEmbedded,
  backupPostgres,
  parseBackupName,
  pruneBackups,
  restoreEmbedded,
  restorePostgres
} from '../ops/backup'

// `npm run backup` and `npm run restore -- <file>` on the configured database (docs/operations.md).
// The last line on stdout is the path of the backup, so scripts and cron jobs can pick it up.

export interface BackupSettings {
  dir: string
  keepDays: number
}

const settings = () => {
  const backup = config.get<BackupSettings>('backup')
  // A mistyped BACKUP_KEEP_DAYS would otherwise silently prune nothing, or everything.
  if (!(Number(backup.keepDays) > 0))
    throw new Error(`backup.keepDays (BACKUP_KEEP_DAYS) must be a positive number`)
  return { database: config.get<DatabaseConfig>('database'), backup }
}

const assertOnDisk = (database: DatabaseConfig) => {
  if (!database.url && database.dataDir === MEMORY)
    throw new Error(`DATA_DIR is ${MEMORY}: an in-memory database has nothing to back up or restore`)
}

/** Writes a backup, then deletes those older than `keepDays`; returns the new backup's path. */
export const backup = async (log: (line: string) => void = console.log) => {
  const { database, backup } = settings()
  assertOnDisk(database)
  fs.mkdirSync(backup.dir, { recursive: true })
  const now = new Date()
  const file = database.url
    ? await backupPostgres(database.url, backup.dir, now)
    : await backupEmbedded(database.dataDir, backup.dir, now)
  // Only after a good backup, and counted from the time in its name: the new one is never pruned.
  for (const pruned of pruneBackups(backup.dir, backup.keepDays, now)) log(`Pruned ${pruned}`)
  log(path.resolve(file))
  return file
}

export const restore = async (file: string | undefined, log: (line: string) => void = console.log) => {
  if (!file) throw new Error('Usage: npm run restore -- <backup file>')
  if (!fs.existsSync(file)) throw new Error(`${file} does not exist`)
  const { database, backup } = settings()
  assertOnDisk(database)
  const kind =
    parseBackupName(path.basename(file))?.kind ?? (file.endsWith('.pgdump') ? 'postgres' : 'pglite')
  const configured = database.url ? 'postgres' : 'pglite'
  if (kind !== configured)
    throw new Error(
      kind === 'postgres'
        ? `${file} is a PostgreSQL dump: set DATABASE_URL to the database to restore it into`
        : `${file} is a backup of the embedded database: unset DATABASE_URL to restore it into DATA_DIR`
    )
  if (database.url) {
    // pg_restore --clean drops what it restores: keep the current contents first, as the embedded case does.
    fs.mkdirSync(backup.dir, { recursive: true })
    const previous = path.resolve(await backupPostgres(database.url, backup.dir))
    await restorePostgres(database.url, file)
    log(
      `Restored ${path.resolve(file)} into the PostgreSQL database; its previous contents are in ${previous}`
    )
  } else {
    const { previous } = await restoreEmbedded(database.dataDir, file)
    log(
      `Restored ${path.resolve(file)} into ${path.resolve(database.dataDir)}` +
        (previous ? `; its previous contents are in ${previous}` : '')
    )
  }
}

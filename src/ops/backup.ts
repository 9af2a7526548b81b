import fs from 'node:fs'
import path from 'node:path'
import { spawn } from 'node:child_process'
import { PGlite } from '@electric-sql/pglite'
import { typeParsers } from '../database/types'
// The server's lock (src/database/connect.ts): a copy taken while it writes could be torn, a restore lost.
import { lockDataDir } from '../database/connect'

// Backups of the configured database into one folder: `pg_dump --format=custom` of PostgreSQL, or a gzipped
// tarball of the embedded database's data directory. Files are named `internal-api-<UTC timestamp>.<ext>`;
// the timestamp in the name (not the file's mtime, which copies and rsync reset) is what pruning goes by.

export type BackupKind = 'postgres' | 'pglite'

const EXTENSIONS: Record<BackupKind, string> = { postgres: '.pgdump', pglite: '.tar.gz' }

/** ISO 8601 in UTC with `-` for the time's colons, which `tar` (host:path), scp and Windows misread. */
export const timestamp = (date = new Date()) => date.toISOString().replace(/:/g, '-')

export const backupFileName = (kind: BackupKind, date = new Date()) =>
  `internal-api-${timestamp(date)}${EXTENSIONS[kind]}`

// `.partial`: a backup being written, or left by a crashed run; pruned like the others once old.
const NAME =
  /^internal-api-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2}(?:\.\d+)?)Z\.(pgdump|tar\.gz)(\.partial)?$/

/** The kind and time of a backup file name, or undefined for any other file. */
export const parseBackupName = (name: string): { kind: BackupKind; date: Date } | undefined => {
  const match = NAME.exec(name)
  if (!match) return undefined
  const [, day, hours, minutes, seconds, ext] = match
  const date = new Date(`${day}T${hours}:${minutes}:${seconds}Z`)
  if (Number.isNaN(date.getTime())) return undefined
  return { kind: ext === 'pgdump' ? 'postgres' : 'pglite', date }
}

/** Deletes the backups in `dir` taken more than `keepDays` ago; returns their paths. Other files stay. */
export const pruneBackups = (dir: string, keepDays: number, now = new Date()): string[] => {
  const cutoff = now.getTime() - keepDays * 24 * 60 * 60 * 1000
  const pruned: string[] = []
  for (const name of fs.readdirSync(dir).sort()) {
    const backup = parseBackupName(name)
    const file = path.join(dir, name)
    if (!backup || backup.date.getTime() >= cutoff || !fs.statSync(file).isFile()) continue
    fs.rmSync(file)
    pruned.push(file)
  }
  return pruned
}

/** Writes through `<file>.partial` and renames it: a failed backup never looks like a good one. */
const writeAtomically = async (file: string, write: (partial: string) => Promise<void>) => {
  const partial = `${file}.partial`
  try {
    await write(partial)
    fs.renameSync(partial, file)
  } catch (error) {
    fs.rmSync(partial, { force: true })
    throw error
  }
  return file
}

// ---- PostgreSQL: pg_dump / pg_restore

/** The password goes to the child through PGPASSWORD, not its command line, which `ps` shows to everyone. */
const libpqTarget = (url: string): { dbname: string; env: Record<string, string> } => {
  try {
    const parsed = new URL(url)
    const password = decodeURIComponent(parsed.password)
    parsed.password = ''
    return { dbname: parsed.toString(), env: password ? { PGPASSWORD: password } : {} }
  } catch {
    return { dbname: url, env: {} } // not a URL (e.g. `host=… dbname=…`): libpq parses it itself
  }
}

const run = (command: string, args: string[], env: Record<string, string>) =>
  new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe']
    })
    let stderr = ''
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', (error: any) =>
      reject(
        error.code === 'ENOENT'
          ? new Error(
              `${command} not found: install the PostgreSQL client tools (the server's version or newer)`
            )
          : error
      )
    )
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} failed (exit ${code}): ${stderr.trim()}`))
    )
  })

export const backupPostgres = (url: string, dir: string, now = new Date()) => {
  const { dbname, env } = libpqTarget(url)
  const file = path.join(dir, backupFileName('postgres', now))
  return writeAtomically(file, (partial) =>
    run('pg_dump', ['--format=custom', `--file=${partial}`, `--dbname=${dbname}`], env)
  )
}

/**
 * Replaces the backed-up objects in the database with the dump's, in one transaction: on any error nothing
 * changes. Tables the dump does not know (made by later migrations) are left alone.
 */
export const restorePostgres = (url: string, file: string) => {
  const { dbname, env } = libpqTarget(url)
  return run(
    'pg_restore',
    ['--clean', '--if-exists', '--no-owner', '--single-transaction', `--dbname=${dbname}`, file],
    env
  )
}

// ---- The embedded database (PGlite): a tarball of its data directory

const hasDatabase = (dataDir: string) => fs.existsSync(path.join(dataDir, 'PG_VERSION'))

export const backupEmbedded = async (dataDir: string, dir: string, now = new Date()) => {
  // Checked before locking, which would create the folder.
  if (!hasDatabase(dataDir)) throw new Error(`There is no embedded database in ${path.resolve(dataDir)}`)
  const release = await lockDataDir(dataDir)
  try {
    const pglite = new PGlite({ dataDir, parsers: typeParsers })
    try {
      // Flushes the WAL into the tables, so the tarball needs no crash recovery when it is opened.
      await pglite.exec('checkpoint')
      const tarball = await pglite.dumpDataDir('gzip')
      const file = path.join(dir, backupFileName('pglite', now))
      return await writeAtomically(file, async (partial) => {
        fs.writeFileSync(partial, Buffer.from(await tarball.arrayBuffer()), { flag: 'wx' })
      })
    } finally {
      await pglite.close()
    }
  } finally {
    await release()
  }
}

/**
 * Recreates the data directory from a tarball. The current one is kept, renamed to
 * `<dataDir>.before-restore-<timestamp>` (returned), and put back if the tarball does not open.
 */
export const restoreEmbedded = async (dataDir: string, file: string, now = new Date()) => {
  const tarball = new Blob([fs.readFileSync(file)])
  const release = await lockDataDir(dataDir)
  try {
    const target = path.resolve(dataDir)
    const aside = fs.readdirSync(target).length ? `${target}.before-restore-${timestamp(now)}` : undefined
    if (aside) fs.renameSync(target, aside)
    try {
      const pglite = new PGlite({ dataDir: target, loadDataDir: tarball, parsers: typeParsers })
      try {
        await pglite.query('select 1')
      } finally {
        await pglite.close()
      }
    } catch (error: any) {
      fs.rmSync(target, { recursive: true, force: true })
      if (aside) fs.renameSync(aside, target)
      else fs.mkdirSync(target)
      throw new Error(`${file} is not a usable backup of the embedded database: ${error?.message ?? error}`)
    }
    return { previous: aside }
  } finally {
    await release()
  }
}

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import knexFactory, { type Knex } from 'knex'
import { connectDatabase, type DatabaseConfig } from '../../src/database/connect'
import { describeOnPostgres } from '../helpers/postgres'
import { cliScript } from '../helpers/process'
import { backupFileName, parseBackupName, pruneBackups } from '../../src/ops/backup'

// `npm run backup` / `npm run restore` as an operator runs them: the CLI in child processes, on a database
// of the test's own (a fresh data directory, or a fresh PostgreSQL database next to DATABASE_URL's).

const cli = (args: string[], env: NodeJS.ProcessEnv) =>
  spawnSync(process.execPath, [...cliScript('src/cli.ts'), ...args], {
    env,
    encoding: 'utf8',
    timeout: 120_000
  })
const ok = (result: ReturnType<typeof cli>) => {
  assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`)
  return result.stdout.trim().split('\n')
}
const temps: string[] = []
const tempDir = (prefix: string) => {
  temps.push(fs.mkdtempSync(path.join(os.tmpdir(), prefix)))
  return temps.at(-1)!
}
const DAY = 24 * 60 * 60 * 1000

/** Every row of every table (as JSON, sorted) and every sequence's position: what a backup must keep. */
const contents = async (knex: Knex) => {
  const tables = await knex.raw(
    `select table_name as name from information_schema.tables
     where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`
  )
  const result: Record<string, string[]> = {}
  for (const { name } of tables.rows) {
    const rows = await knex.raw(`select row_to_json(t)::text as row from "${name}" t`)
    result[name] = rows.rows.map((r: any) => r.row).sort()
  }
  const sequences = await knex.raw(
    `select sequencename || '=' || coalesce(last_value, 0) as seq from pg_sequences
     where schemaname = current_schema() order by 1`
  )
  result['(sequences)'] = sequences.rows.map((r: any) => r.seq)
  return result
}

const withDatabase = async <T>(config: Partial<DatabaseConfig>, fn: (knex: Knex) => Promise<T>) => {
  const db = await connectDatabase({ dataDir: 'memory://', acquireConnectionTimeout: 5000, ...config })
  try {
    return await fn(db.knex)
  } finally {
    await db.close()
  }
}

/** Rows in several tables besides those `create-user` makes (users, migrations, audit). */
const addCatalog = (knex: Knex) =>
  knex.transaction(async (trx) => {
    const [category] = await trx('categories').insert({ name: 'Shoes', slug: 'shoes' }).returning('id')
    await trx('products').insert([
      { sku: 'S-1', name: 'Runner', priceCents: 5900, currency: 'EUR', categoryId: category.id },
      { sku: 'S-2', name: 'Walker', description: 'ünïcødé “quotes”', priceCents: 4900, currency: 'EUR' }
    ])
  })

/** What goes wrong between a backup and its restore: deletes, updates and inserts. */
const damage = async (knex: Knex) => {
  await knex('products').where({ sku: 'S-1' }).delete()
  await knex('users').update({ name: 'changed' })
  await knex('categories').insert({ name: 'New', slug: 'new' })
}

const backupAndRestore = async (env: NodeJS.ProcessEnv, database: Partial<DatabaseConfig>) => {
  ok(
    cli(
      ['create-user', '--email', 'admin@example.com', '--password', 'admin password 1', '--role', 'admin'],
      env
    )
  )
  ok(cli(['create-user', '--email', 'ann@example.com', '--password', 'customer password'], env))
  await withDatabase(database, addCatalog)
  const before = await withDatabase(database, contents)
  assert.ok(before.users.length === 2 && before.products.length === 2 && before.knex_migrations.length > 0)

  const backupLines = ok(cli(['backup'], env))
  const file = backupLines.at(-1)!
  assert.ok(path.isAbsolute(file) && fs.existsSync(file), `the last line is the backup's path: ${file}`)
  assert.equal(path.dirname(file), path.resolve(env.BACKUP_DIR!))
  assert.ok(parseBackupName(path.basename(file)), path.basename(file))

  await withDatabase(database, damage)
  assert.notDeepEqual(await withDatabase(database, contents), before)

  ok(cli(['restore', file], env))
  assert.deepEqual(await withDatabase(database, contents), before)
  // The ids go on where they were: the restored sequences are in step with the rows.
  const again = ok(cli(['create-user', '--email', 'bob@example.com', '--password', 'customer password'], env))
  assert.match(again.at(-1)!, /Created user 3 /)
  return { file, backupLines }
}

const baseEnv = (extra: NodeJS.ProcessEnv) => {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', ...extra }
  if (!extra.DATABASE_URL) delete env.DATABASE_URL
  return env
}

describe('ops: backup and restore', function () {
  this.timeout(180_000)
  // Data directories and backups are tens of MB each.
  after(() => temps.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })))

  it('names backups by kind and UTC time, and reads the names back', () => {
    const at = new Date('2026-03-04T05:06:07.089Z')
    assert.equal(backupFileName('postgres', at), 'internal-api-2026-03-04T05-06-07.089Z.pgdump')
    assert.equal(backupFileName('pglite', at), 'internal-api-2026-03-04T05-06-07.089Z.tar.gz')
    assert.deepEqual(parseBackupName(backupFileName('pglite', at)), { kind: 'pglite', date: at })
    assert.equal(parseBackupName('internal-api-latest.tar.gz'), undefined)
    assert.equal(parseBackupName('other-2026-03-04T05-06-07.089Z.pgdump'), undefined)
  })

  it('prunes the backups older than keepDays by the time in their name, and nothing else', () => {
    const dir = tempDir('internal-api-prune-')
    const now = new Date('2026-06-30T12:00:00.000Z')
    const ago = (days: number) => new Date(now.getTime() - days * DAY)
    const files = {
      old: backupFileName('postgres', ago(15)),
      oldEmbedded: backupFileName('pglite', ago(30)),
      oldPartial: `${backupFileName('pglite', ago(20))}.partial`,
      recent: backupFileName('postgres', ago(13)),
      recentButOldMtime: backupFileName('pglite', ago(1)),
      unrelated: 'notes-2020.txt',
      almost: 'internal-api-2020-01-01.pgdump'
    }
    for (const name of Object.values(files)) fs.writeFileSync(path.join(dir, name), 'x')
    // mtime does not count (copies and rsync reset it): only the name's time does.
    const longAgo = ago(400)
    for (const name of [files.recentButOldMtime, files.unrelated, files.almost])
      fs.utimesSync(path.join(dir, name), longAgo, longAgo)
    fs.mkdirSync(path.join(dir, backupFileName('pglite', ago(99)))) // not a file: left alone

    const pruned = pruneBackups(dir, 14, now)

    assert.deepEqual(
      pruned.map((f) => path.basename(f)).sort(),
      [files.old, files.oldEmbedded, files.oldPartial].sort()
    )
    assert.deepEqual(
      fs.readdirSync(dir).sort(),
      [
        files.recent,
        files.recentButOldMtime,
        files.unrelated,
        files.almost,
        backupFileName('pglite', ago(99))
      ].sort()
    )
  })

  describe('on the embedded database', () => {
    let dataDir: string
    let env: NodeJS.ProcessEnv

    beforeEach(() => {
      dataDir = path.join(tempDir('internal-api-backup-'), 'data')
      env = baseEnv({ DATA_DIR: dataDir, BACKUP_DIR: tempDir('internal-api-backups-') })
    })

    it('backs up the data directory, prunes old backups, and restores every row, keeping the replaced data', async () => {
      const stale = path.join(env.BACKUP_DIR!, backupFileName('pglite', new Date(Date.now() - 15 * DAY)))
      fs.writeFileSync(stale, 'old')

      const { file, backupLines } = await backupAndRestore(env, { dataDir })

      assert.match(path.basename(file), /^internal-api-.*Z\.tar\.gz$/)
      assert.ok(!fs.existsSync(stale), 'a backup older than keepDays (14) is pruned')
      assert.ok(backupLines.includes(`Pruned ${stale}`), backupLines.join('\n'))
      const aside = fs.readdirSync(path.dirname(dataDir)).filter((n) => n.startsWith('data.before-restore-'))
      assert.equal(aside.length, 1, 'the replaced data directory is kept')
    })

    it('refuses while another process has the database open, and refuses a backup of the other kind', async () => {
      ok(cli(['migrate'], env))
      const busy = await withDatabase({ dataDir }, async () => cli(['backup'], env))
      assert.equal(busy.status, 1)
      assert.match(busy.stderr, /is in use by another process/)
      assert.deepEqual(fs.readdirSync(env.BACKUP_DIR!), [], 'no backup file, not even a partial one')

      const dump = path.join(env.BACKUP_DIR!, backupFileName('postgres'))
      fs.writeFileSync(dump, 'x')
      const wrongKind = cli(['restore', dump], env)
      assert.equal(wrongKind.status, 1)
      assert.match(wrongKind.stderr, /is a PostgreSQL dump: set DATABASE_URL/)
    })

    it('puts the data directory back when the backup file does not open', async () => {
      ok(cli(['create-user', '--email', 'admin@example.com', '--password', 'admin password 1'], env))
      const before = await withDatabase({ dataDir }, contents)
      const broken = path.join(env.BACKUP_DIR!, backupFileName('pglite'))
      fs.writeFileSync(broken, 'not a tarball')
      const result = cli(['restore', broken], env)
      assert.equal(result.status, 1)
      assert.match(result.stderr, /is not a usable backup/)
      assert.deepEqual(await withDatabase({ dataDir }, contents), before)
    })
  })

  describeOnPostgres('on PostgreSQL (DATABASE_URL)', () => {
    const adminUrl = process.env.DATABASE_URL
    let admin: Knex
    let name: string
    let url: string

    beforeEach(async () => {
      // A database of its own: pg_restore --clean works on the whole database, not on a test schema.
      admin = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } })
      name = `backup_${randomBytes(4).toString('hex')}`
      await admin.raw(`create database ${name}`)
      const parsed = new URL(adminUrl!)
      parsed.pathname = `/${name}`
      parsed.searchParams.delete('options') // a search_path meant for the CI database
      url = parsed.toString()
    })

    afterEach(async () => {
      await admin?.raw(`drop database if exists ${name} with (force)`)
      await admin?.destroy()
    })

    it('dumps with pg_dump, and pg_restore brings back every row after a safety dump of the current ones', async () => {
      const env = baseEnv({ DATABASE_URL: url, BACKUP_DIR: tempDir('internal-api-backups-') })
      const { file } = await backupAndRestore(env, { url })
      assert.match(path.basename(file), /^internal-api-.*Z\.pgdump$/)
      const dumps = fs.readdirSync(env.BACKUP_DIR!).filter((n) => n.endsWith('.pgdump'))
      assert.equal(dumps.length, 2, 'the backup and the dump of what the restore replaced')
    })
  })
})

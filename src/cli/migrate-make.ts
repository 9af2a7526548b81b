import fs from 'node:fs'
import path from 'node:path'
import { loadDeclarations } from '../engine/declarations/load'
import { schemaModel } from '../engine/migrations/table-model'
import { describeChanges, diffSchemas } from '../engine/migrations/migration-diff'
import { readSnapshot, snapshotPath, writeSnapshot } from '../engine/migrations/migration-snapshot'
import { domain } from '../contexts'

// `npm run migrate:make -- <name>`: diff the declarations against migrations/snapshot.json and write the
// migration that closes the gap, plus the new snapshot. See docs/migrations.md.

export interface MigrateMakeOptions {
  resourcesDir: string
  migrationsDir: string
  name: string
  /** For tests: the clock and the output. */
  now?: Date
  log?: (line: string) => void
}

export interface MigrateMakeResult {
  /** The migration written, or undefined when the declarations match the snapshot. */
  file?: string
  changes: string[]
}

const stamp = (date: Date) => date.toISOString().replace(/\D/g, '').slice(0, 14)

/** YYYYMMDDHHmmss, later than every existing migration so it sorts (and runs) last. */
const nextStamp = (migrationsDir: string, now: Date) => {
  const existing = fs.existsSync(migrationsDir)
    ? fs.readdirSync(migrationsDir).flatMap((file) => /^(\d{14})_/.exec(file)?.[1] ?? [])
    : []
  const latest = existing.sort().at(-1)
  let date = now
  while (latest && stamp(date) <= latest) date = new Date(date.getTime() + 1000)
  return stamp(date)
}

export const migrateMake = (options: MigrateMakeOptions): MigrateMakeResult => {
  const { resourcesDir, migrationsDir, name, log = console.log } = options
  if (!/^[a-z0-9][a-z0-9_-]*$/i.test(name)) {
    throw new Error(`Migration name '${name}' must be letters, digits, - and _ (e.g. add-order-note)`)
  }
  const before = readSnapshot(migrationsDir)
  const after = schemaModel(loadDeclarations(resourcesDir, domain))
  const source = diffSchemas(before, after, name)
  if (source === null) {
    log(`No changes: the declarations in ${resourcesDir} match ${snapshotPath(migrationsDir)}.`)
    return { changes: [] }
  }
  const changes = describeChanges(before, after)
  fs.mkdirSync(migrationsDir, { recursive: true })
  const file = path.join(migrationsDir, `${nextStamp(migrationsDir, options.now ?? new Date())}_${name}.ts`)
  fs.writeFileSync(file, source)
  writeSnapshot(migrationsDir, after)
  log(`Wrote ${file}:`)
  for (const change of changes) log(`  ${change}`)
  log(`Updated ${snapshotPath(migrationsDir)}. Review the migration, then commit both.`)
  return { file, changes }
}

export interface SnapshotCheck {
  fresh: boolean
  /** What a new migration would do, when the snapshot is stale. */
  changes: string[]
  message: string
}

/** For `npm run cli -- check`: do the declarations still match the snapshot the migrations produce? */
export const snapshotIsFresh = ({
  resourcesDir,
  migrationsDir
}: {
  resourcesDir: string
  migrationsDir: string
}): SnapshotCheck => {
  const snapshot = snapshotPath(migrationsDir)
  let changes: string[]
  try {
    changes = describeChanges(
      readSnapshot(migrationsDir),
      schemaModel(loadDeclarations(resourcesDir, domain))
    )
  } catch (error: any) {
    // A refused change (e.g. a required column without a default) is stale too, and says why.
    if (error.name !== 'MigrationRefused') throw error
    return {
      fresh: false,
      changes: [],
      message: `${snapshot} differs from the declarations: ${error.message}`
    }
  }
  if (changes.length === 0) return { fresh: true, changes, message: `${snapshot} matches the declarations` }
  return {
    fresh: false,
    changes,
    message: `${snapshot} differs from the declarations: ${changes.join('; ')}`
  }
}

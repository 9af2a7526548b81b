// First: environment variables node-config would choke on are checked before it loads (src/environment-formats.ts).
import { environmentFormatProblems } from './environment-formats'
import { parseArgs } from 'node:util'
import config from 'config'
import { domain } from './contexts'

const usage = `Usage: npm run cli -- <command> [options]

Commands:
  check                      validate src/contexts/*/*.yaml; fail when the migration snapshot or the
                             generated types are stale
  migrate                    apply pending migrations to the configured database
  migrate:make <name>        write a migration from the difference between declarations and the snapshot
  generate                   write TypeScript types and the typed service map to src/generated/
  create-user --email <e> --password <p> [--role <role> ...] [--name <n>]
                             create a user (e.g. the first admin) on the configured database
  backup                     write a timestamped backup into backup.dir (BACKUP_DIR), print its path, and
                             delete backups older than backup.keepDays (BACKUP_KEEP_DAYS)
  restore <file>             replace the configured database's contents with a backup's`

const resourcesDir = () => config.get<string>('resourcesDir')

const commands: Record<string, (args: string[]) => Promise<void>> = {
  async check() {
    const { loadDeclarations } = await import('./engine/declarations/load')
    const { snapshotIsFresh } = await import('./cli/migrate-make')
    const { generate } = await import('./cli/generate')
    const declarations = loadDeclarations(resourcesDir(), domain)
    console.log(
      `${declarations.length} declarations are valid: ${declarations.map((d) => d.name).join(', ')}`
    )
    const problems: string[] = []
    const snapshot = snapshotIsFresh({ resourcesDir: resourcesDir(), migrationsDir: 'migrations' })
    if (!snapshot.fresh)
      problems.push(`migrations are stale (${snapshot.message}); run npm run migrate:make -- <name>`)
    const { stale } = await generate({ resourcesDir: resourcesDir(), check: true })
    if (stale.length) problems.push(`generated files are stale (${stale.join(', ')}); run npm run generate`)
    if (problems.length) throw new Error(problems.join('\n'))
    console.log('Migrations and generated files are up to date.')
  },
  async migrate() {
    const { connectDatabase } = await import('./database/connect')
    const { runMigrations } = await import('./database/migrate')
    const { loadDeclarations } = await import('./engine/declarations/load')
    loadDeclarations(resourcesDir(), domain)
    const db = await connectDatabase(config.get('database'))
    try {
      const applied = await runMigrations(db.knex)
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Already up to date.')
    } finally {
      await db.close()
    }
  },
  async 'migrate:make'(args) {
    const name = args[0]
    if (!name || !/^[a-z0-9_-]+$/i.test(name))
      throw new Error('Usage: npm run migrate:make -- <name> (letters, digits, - and _)')
    const { migrateMake } = await import('./cli/migrate-make')
    await migrateMake({ resourcesDir: resourcesDir(), migrationsDir: 'migrations', name })
  },
  async generate() {
    const { generate } = await import('./cli/generate')
    await generate({ resourcesDir: resourcesDir() })
  },
  async 'create-user'(args) {
    const { values } = parseArgs({
      args,
      options: {
        email: { type: 'string' },
        password: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string', multiple: true }
      }
    })
    if (!values.email || !values.password) throw new Error('create-user needs --email and --password')
    const { createUser } = await import('./cli/create-user')
    const user = await createUser({
      email: values.email,
      password: values.password,
      name: values.name,
      roles: values.role ?? []
    })
    console.log(`Created user ${user.id} <${user.email}> with roles ${(user.roles as string[]).join(', ')}`)
  },
  async backup() {
    const { backup } = await import('./cli/backup')
    await backup()
  },
  async restore(args) {
    const { restore } = await import('./cli/backup')
    await restore(args[0])
  }
}

const [command, ...args] = process.argv.slice(2)
const run = commands[command ?? '']
if (environmentFormatProblems.length) {
  console.error(
    `Invalid environment variables:\n${environmentFormatProblems.map((p) => `  - ${p}`).join('\n')}`
  )
  process.exit(1)
}
if (!run) {
  console.error(usage)
  process.exit(command ? 1 : 0)
}
run(args).then(
  () => process.exit(0),
  (error: any) => {
    // Validation errors from the API (e.g. a weak password) carry field details.
    const details = error?.errors?.length
      ? `\n  ${error.errors.map((e: any) => `${e.field}: ${e.message}`).join('\n  ')}`
      : ''
    console.error(`${error?.message ?? error}${details}`)
    process.exit(1)
  }
)

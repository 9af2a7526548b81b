import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { dataFileIn, log, writeData, type BenchContext } from './context'
import { createBenchDatabase, DEFAULT_ADMIN_URL } from './database'
import { parseOptions, type BenchOptions } from './options'
import { pinning } from './processes'
import { machineBusy } from './proc'
import { mainThreadProfile, summarizeProfile, type ProfileWindow } from './profile'
import { formatMarkdown, renderReport, revision } from './report'
import { seed } from './seed'
import { benchSecrets, startApi, startRaw } from './servers'
import { runSoak } from './soak'
import { FIXED_RATE, runSuite } from './suite'

// `npm run bench [-- --smoke | --soak] [--only=a,b] [--seconds=N] [--profile] [--out=file]`
// --only takes scenario names (product-anon, product-auth, product-page, order-create, order-get, gql-product,
// gql-orders) and the extra parts: fixed-rate, instances, fanout.
// A fresh PostgreSQL database, the API and the raw baseline on core 0, load generators on core 1; the
// database is dropped and every process stopped at the end, also on failure, Ctrl-C or the time budget.

const cleanups: (() => Promise<unknown>)[] = []
const cleanUp = async () => {
  for (const step of cleanups.splice(0).reverse()) {
    await step().catch((error) => log(`cleanup: ${error?.message ?? error}`))
  }
}

const postgresVersion = async (url: string) => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query('SHOW server_version')
    return `PostgreSQL ${rows[0].server_version}`
  } finally {
    await client.end()
  }
}

const main = async (options: BenchOptions) => {
  const started = Date.now()
  const busyBefore = await machineBusy()
  if (busyBefore > 20)
    log(`the machine is ${Math.round(busyBefore)} % busy with other work: figures will suffer`)
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'internal-api-bench-'))
  cleanups.push(async () => fs.rmSync(workDir, { recursive: true, force: true }))
  const profileDir = options.profile
    ? fs.mkdtempSync(path.join(os.tmpdir(), 'internal-api-profile-'))
    : undefined

  const database = await createBenchDatabase(process.env.DATABASE_URL || DEFAULT_ADMIN_URL)
  cleanups.push(database.drop)
  log(`database ${database.name}; ${pinning()}`)
  const secrets = benchSecrets()
  const api = await startApi(database.url, workDir, { secrets, profileDir })
  cleanups.push(api.stop)
  const raw = options.mode === 'soak' ? undefined : await startRaw(database.url, workDir)
  if (raw) cleanups.push(raw.stop)
  log('seeding 10,000 products and 1,000 users')
  const seeded = await seed(database.url, api.url)
  const context: BenchContext = {
    options,
    workDir,
    databaseUrl: database.url,
    api,
    raw,
    secrets,
    seeded,
    data: { productIds: seeded.productIds, customers: seeded.customers, orders: [] },
    dataFile: dataFileIn(workDir)
  }
  writeData(context)

  let report: string
  let problems: string[]
  let windows: ProfileWindow[] = []
  if (options.mode === 'soak') {
    ;({ report, problems } = await runSoak(context))
  } else {
    const suite = await runSuite(context)
    problems = suite.problems
    windows = suite.windows
    const info = {
      date: new Date(),
      mode: options.mode,
      seconds: options.seconds,
      warmupSeconds: options.warmupSeconds,
      connections: options.connections,
      pinning: pinning(),
      postgres: await postgresVersion(database.url),
      fanout: {
        sockets: options.sockets,
        eventsPerSecond: options.eventsPerSecond,
        seconds: options.fanoutSeconds
      },
      stock: suite.stock,
      busyBefore,
      revision: revision()
    }
    report = renderReport(info, suite.rows, {
      fixedRate: suite.fixedRate,
      rate: FIXED_RATE,
      instances: suite.instances,
      fanoutWrites: suite.fanoutWrites
    })
  }
  report = await formatMarkdown(report, options.out)
  console.log(report)
  if (options.out) {
    fs.writeFileSync(options.out, report)
    log(`written to ${options.out}`)
  }
  if (profileDir) {
    await api.stop() // the profile is written when the process exits
    const file = mainThreadProfile(profileDir)
    console.log(`# CPU profile of the API server (${file})\n`)
    console.log(summarizeProfile(file, windows))
  }
  log(`done in ${Math.round((Date.now() - started) / 1000)} s`)
  if (problems.length) {
    console.error(`\nThe run measured something wrong:\n- ${problems.join('\n- ')}`)
    process.exitCode = 1
  }
}

const options = (() => {
  try {
    return parseOptions(process.argv.slice(2))
  } catch (error: any) {
    console.error(error.message)
    process.exit(2)
  }
})()
const budget = setTimeout(() => {
  log(`over the ${options.budgetSeconds} s budget: stopping`)
  cleanUp().finally(() => process.exit(1))
}, options.budgetSeconds * 1000)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`)
    cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143))
  })
}

main(options)
  .catch((error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error)
    process.exitCode = 1
  })
  .finally(async () => {
    await cleanUp()
    clearTimeout(budget)
  })

import os from 'node:os'
import { spawnSync } from 'node:child_process'
import * as prettier from 'prettier'
import type { StockCheck } from './invariants'
import type { InstancesResult } from './instances'

export interface Figures {
  requestsPerSecond: number
  p50: number
  p99: number
  rssIdle: number
  rssLoad: number
  serverCpu: number
  generatorCpu: number
  otherCpu: number
}

export interface Row {
  title: string
  api?: Figures
  raw?: Figures
}

/** Per server, the latency of the fan-out's writes (PATCH round trips). */
export type FanoutWrites = Partial<Record<'api' | 'raw', { p50: number; p99: number }>>

export interface RunInfo {
  date: Date
  mode: string
  seconds: number
  warmupSeconds: number
  connections: number
  pinning: string
  postgres: string
  fanout: { sockets: number; eventsPerSecond: number; seconds: number }
  stock?: StockCheck
  /** % of all cores busy just before the run (other work on the machine). */
  busyBefore: number
  /** The code measured: commit, and whether src/, config/ or migrations/ had uncommitted changes. */
  revision: string
}

const MB = 1024 * 1024
const number = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a'
const ms = (n: number) => number(n, n < 10 ? 2 : 1)
const mb = (n: number) => number(n / MB)
const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? ` (${(a / b).toFixed(2)}×)` : '')

const columns = [
  'scenario',
  'req/s',
  'p50 ms',
  'p99 ms',
  'RSS idle MB',
  'RSS load MB',
  'server CPU',
  'load-gen CPU',
  'other CPU'
]
const head = () => [`| ${columns.join(' | ')} |`, `| ${columns.map(() => '---').join(' | ')} |`]

const percent = (n: number) => (Number.isFinite(n) ? `${Math.round(n)} %` : 'n/a')

/** One table line; with a baseline, every figure but the CPU shares carries its ratio to it. */
const line = (title: string, f: Figures, base?: Figures) => {
  const r = (key: keyof Figures) => (base ? ratio(f[key], base[key]) : '')
  return `| ${title} | ${number(f.requestsPerSecond)}${r('requestsPerSecond')} | ${ms(f.p50)}${r('p50')} | ${ms(f.p99)}${r('p99')} | ${mb(f.rssIdle)}${r('rssIdle')} | ${mb(f.rssLoad)}${r('rssLoad')} | ${percent(f.serverCpu)} | ${percent(f.generatorCpu)} | ${percent(f.otherCpu)} |`
}

export const machine = () => {
  const cpus = os.cpus()
  return `${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${number(os.totalmem() / 1024 ** 3, 1)} GB RAM, ${os.type()} ${os.release()}, Node ${process.version}`
}

const fixedRateSection = (rows: Row[], rate: number) =>
  rows.length
    ? [
        `## At a fixed ${number(rate)} req/s (the spec's load): latency when not saturated`,
        '',
        `Same routes, ${number(rate)} requests per second in total over the same connections; the target is a p99 under ` +
          '25 ms on every read route.',
        '',
        '| route | API req/s | API p50 ms | API p99 ms | raw p50 ms | raw p99 ms | API server CPU |',
        '| --- | --- | --- | --- | --- | --- | --- |',
        ...rows.map(({ title, api, raw }) =>
          api
            ? `| ${title} | ${number(api.requestsPerSecond)} | ${ms(api.p50)} | ${ms(api.p99)} | ${raw ? ms(raw.p50) : 'n/a'} | ${raw ? ms(raw.p99) : 'n/a'} | ${percent(api.serverCpu)} |`
            : ''
        ),
        ''
      ]
    : []

const instancesSection = (result?: InstancesResult) => {
  if (!result) return []
  const head = [
    '## Scale-out: two instances against one',
    '',
    'Both on the same PostgreSQL with `REDIS_URL` (events and rate limits in Redis), the load ' +
      'spread evenly over them. This machine has 2 cores: the second instance runs on core 1 beside the load ' +
      'generator, so the gain is a floor, not what a second machine would add.',
    ''
  ]
  if (!result.one || !result.two) return [...head, `Not measured: ${result.skipped}.`, '']
  return [
    ...head,
    `| ${result.title} | req/s | p50 ms | p99 ms |`,
    '| --- | --- | --- | --- |',
    `| 1 instance | ${number(result.one.requestsPerSecond)} | ${ms(result.one.p50)} | ${ms(result.one.p99)} |`,
    `| 2 instances | ${number(result.two.requestsPerSecond)}${ratio(result.two.requestsPerSecond, result.one.requestsPerSecond)} | ${ms(result.two.p50)} | ${ms(result.two.p99)} |`,
    ''
  ]
}

/** The markdown both printed and written to bench/results.md. */
export const renderReport = (
  info: RunInfo,
  rows: Row[],
  {
    fixedRate = [],
    rate = 1000,
    instances,
    fanoutWrites = {}
  }: { fixedRate?: Row[]; rate?: number; instances?: InstancesResult; fanoutWrites?: FanoutWrites } = {}
) => {
  const { stock, fanout } = info
  const lines = [
    '# Benchmark results',
    '',
    `Written by \`npm run bench${info.mode === 'full' ? '' : ` -- --${info.mode}`}\` on ${info.date.toISOString()}.`,
    '',
    `- Code: ${info.revision}. Machine: ${machine()}; ${info.postgres}.`,
    `- ${info.pinning}. PostgreSQL runs on the same machine, unpinned, and competes for both cores; ` +
      `${percent(info.busyBefore)} of the machine was busy with other work just before the run.`,
    '- CPU columns: % of one core while measured. A server near 100 % is the limit; a load generator near ' +
      '100 % means the figure understates the server; "other" is unrelated processes on the machine ' +
      '(PostgreSQL excluded): a row with more than a few % there was disturbed.',
    `- Load: autocannon, ${info.connections} keep-alive connections (closed loop: as fast as answers come), ` +
      `${info.warmupSeconds} s warm-up then ${info.seconds} s measured per scenario and server, loopback only.`,
    `- Fan-out: ${fanout.sockets} anonymous Socket.io clients, one active product patched ${fanout.eventsPerSecond} times/s ` +
      `for ${fanout.seconds} s; req/s is deliveries/s, latency runs from sending the PATCH to each client's event.`,
    '- Data: 10,000 active products (stock in the inventory ledger), 1,000 users, 10 customers logged in.',
    '- Page totals: the API reuses a count until a write touches its table (src/database/totals-cache.ts, exact); ' +
      'the raw baseline counts on every request, as a plain app does.',
    '- **Numbers move between runs and machines: compare the ratios within one run, not figures across runs.**',
    '',
    '## API (Feathers) — in brackets: the ratio to the raw baseline',
    '',
    ...head(),
    ...rows.flatMap(({ title, api, raw }) => (api ? [line(title, api, raw)] : [])),
    '',
    '## Raw baseline (`bench/raw-server.ts`: node:http + pg, same queries, no authentication, no logging)',
    '',
    ...head(),
    ...rows.flatMap(({ title, raw }) => (raw ? [line(title, raw)] : [])),
    '',
    ...fanoutWritesNote(fanoutWrites),
    ...fixedRateSection(fixedRate, rate),
    ...instancesSection(instances)
  ]
  if (stock) {
    lines.push(
      '## Stock after the order runs',
      '',
      `${number(stock.orders)} orders over ${number(stock.products)} products: ${stock.negative} below zero, ` +
        `${stock.offLedger} off the ledger, ${stock.oversold} where stock + reserved ≠ received ` +
        `(${stock.negative + stock.offLedger + stock.oversold === 0 ? 'no oversell' : '**INVARIANT BROKEN**'}).`,
      ''
    )
  }
  return lines.join('\n')
}

const fanoutWritesNote = ({ api, raw }: FanoutWrites) =>
  api && raw
    ? [
        `The fan-out's writes (the PATCH round trips its events come from) took p50 ${ms(api.p50)} ms and p99 ` +
          `${ms(api.p99)} ms on the API, p50 ${ms(raw.p50)} ms and p99 ${ms(raw.p99)} ms on raw: each delivery's ` +
          'latency includes its write, commit included.',
        ''
      ]
    : []

/** `npm run lint` checks every markdown file with Prettier: the report is written the way it would format it. */
export const formatMarkdown = async (text: string, file = 'bench/results.md') =>
  prettier.format(text, { ...(await prettier.resolveConfig(file)), parser: 'markdown' })

/** Read-only git queries: which commit was measured, and whether the served code differed from it. */
export const revision = () => {
  const git = (...args: string[]) => spawnSync('git', args, { encoding: 'utf8' }).stdout?.trim() ?? ''
  const commit = git('rev-parse', '--short', 'HEAD')
  if (!commit) return 'not a git checkout'
  const dirty = git('status', '--porcelain', '--', 'src', 'config', 'migrations', 'package-lock.json')
  return `commit ${commit}${dirty ? ' with uncommitted changes in src/, config/ or migrations/' : ''}`
}

import { log, type BenchContext } from './context'
import { measureFanout } from './fanout'
import { checkStock } from './invariants'
import { loadJob, measureLoad } from './load'
import { fanoutProblems, loadProblems, stockProblems } from './problems'
import type { FanoutWrites, Figures, Row } from './report'
import { scenarios, type Scenario } from './scenarios'
import { ensureOrders } from './prefill'
import type { BenchServer } from './servers'
import type { StockCheck } from './invariants'
import type { ProfileWindow } from './profile'
import { measureInstances, type InstancesResult } from './instances'

export const FIXED_RATE = 1000
const READ_SCENARIOS = ['product-anon', 'product-auth', 'product-page', 'order-get']

export interface SuiteResult {
  rows: Row[]
  /** The read routes at a fixed request rate (the spec's 1,000 req/s): latency when not saturated. */
  fixedRate: Row[]
  /** The fan-out's PATCH round trips per server: the write each event comes from. */
  fanoutWrites: FanoutWrites
  instances?: InstancesResult
  problems: string[]
  stock?: StockCheck
  /** When each API measurement ran, to cut its CPU profile by scenario. */
  windows: ProfileWindow[]
}

const selected = (context: BenchContext, name: string) =>
  !context.options.only.length || context.options.only.includes(name)

const summary = (server: BenchServer, title: string, f: Figures) =>
  log(
    `${server.target.padEnd(3)} ${title}: ${Math.round(f.requestsPerSecond)} req/s, p50 ${f.p50.toFixed(2)} ms, ` +
      `p99 ${f.p99.toFixed(2)} ms, RSS ${Math.round(f.rssLoad / 2 ** 20)} MB, ` +
      `CPU server ${Math.round(f.serverCpu)} % / load-gen ${Math.round(f.generatorCpu)} % / other ${Math.round(f.otherCpu)} %`
  )

/** One request of a scenario whose body must say more than its status (GraphQL): a wrong answer is a problem. */
const wrongAnswer = async (context: BenchContext, server: BenchServer, scenario: Scenario) => {
  if (!scenario.answers) return []
  const { method, path, headers, body } = scenario.request(context.data)()
  const response = await fetch(`${server.url}${path}`, { method, headers, body })
  const answer = await response.json().catch(() => undefined)
  return scenario.answers(answer)
    ? []
    : [`${server.target} ${scenario.name}: a wrong answer ${JSON.stringify(answer).slice(0, 300)}`]
}

/** Every scenario against the raw baseline, then the API, on the same data; then the socket fan-out. */
export const runSuite = async (context: BenchContext): Promise<SuiteResult> => {
  const { options } = context
  const servers = [context.raw!, context.api]
  const rows: Row[] = []
  const problems: string[] = []
  const windows: ProfileWindow[] = []
  for (const scenario of scenarios.filter((s) => selected(context, s.name))) {
    if (scenario.name === 'order-get' || scenario.name === 'gql-orders') await ensureOrders(context)
    const row: Row = { title: scenario.title }
    for (const server of servers) {
      problems.push(...(await wrongAnswer(context, server, scenario)))
      const result = await measureLoad(server, loadJob(context, scenario.name), context.workDir)
      row[server.target] = result
      if (server === context.api)
        windows.push({ label: scenario.title, from: result.measuredFrom, to: result.measuredTo })
      summary(server, scenario.title, result)
      problems.push(...loadProblems(`${server.target} ${scenario.name}`, result, scenario.expected))
    }
    rows.push(row)
  }
  const fixedRate: Row[] = []
  if (selected(context, 'fixed-rate')) {
    await ensureOrders(context)
    // Smoke runs keep one route, only so that this code path cannot rot.
    const names = options.mode === 'smoke' ? ['product-auth'] : READ_SCENARIOS
    for (const scenario of scenarios.filter((s) => names.includes(s.name))) {
      const row: Row = { title: scenario.title }
      for (const server of servers) {
        const result = await measureLoad(server, loadJob(context, scenario.name, FIXED_RATE), context.workDir)
        row[server.target] = result
        summary(server, `${scenario.title} at ${FIXED_RATE} req/s`, result)
        problems.push(
          ...loadProblems(`${server.target} ${scenario.name} fixed rate`, result, scenario.expected)
        )
      }
      fixedRate.push(row)
    }
  }
  const instances = selected(context, 'instances') ? await measureInstances(context) : undefined
  if (instances) problems.push(...instances.problems)
  let stock: StockCheck | undefined
  if (selected(context, 'order-create')) {
    stock = await checkStock(context.databaseUrl)
    problems.push(...stockProblems(stock))
  }
  const fanoutWrites: FanoutWrites = {}
  if (selected(context, 'fanout')) {
    const row: Row = {
      title: `Socket fan-out (${options.sockets} sockets × ${options.eventsPerSecond} events/s)`
    }
    for (const server of servers) {
      const result = await measureFanout(
        server,
        {
          productId: context.data.productIds[0],
          token: context.seeded.admin.token,
          sockets: options.sockets,
          eventsPerSecond: options.eventsPerSecond,
          seconds: options.fanoutSeconds
        },
        context.workDir
      )
      const figures = { ...result, requestsPerSecond: result.deliveriesPerSecond }
      row[server.target] = figures
      if (server === context.api)
        windows.push({ label: row.title, from: result.measuredFrom, to: result.measuredTo })
      summary(server, row.title, figures)
      fanoutWrites[server.target] = { p50: result.writeP50, p99: result.writeP99 }
      problems.push(...fanoutProblems(`${server.target} fanout`, result))
    }
    rows.push(row)
  }
  return { rows, fixedRate, fanoutWrites, instances, problems, stock, windows }
}

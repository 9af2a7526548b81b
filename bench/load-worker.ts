import fs from 'node:fs'
import autocannon from 'autocannon'
import { scenarios, soakMix, type BenchRequest, type LoadData } from './scenarios'
import { Latencies } from './stats'
import { MEASURING } from './processes'

// The load generator, a child process of bench/run.ts on its own core: one scenario against one server,
// a warm-up first, then the measurement. Prints one JSON line (LoadResult) on stdout.

export interface LoadJob {
  url: string
  /** Several instances of one service: connections and rate are split evenly, results added up. */
  urls?: string[]
  scenario: string
  seconds: number
  warmupSeconds: number
  connections: number
  /** Requests per second in total (the soak); the default is as fast as the server answers. */
  overallRate?: number
  dataFile: string
}

export interface LoadResult {
  requestsPerSecond: number
  requests: number
  p50: number
  p99: number
  statuses: Record<string, number>
  errors: number
  timeouts: number
  seconds: number
  /** This process's CPU while measuring, in % of its core (near 100: the generator, not the server, limits). */
  generatorCpu: number
}

interface Fired {
  duration: number
  errors: number
  timeouts: number
  statuses: Record<string, number>
}

const fireAt = (
  url: string,
  share: number,
  job: LoadJob,
  seconds: number,
  next: () => BenchRequest,
  latencies?: Latencies
) =>
  new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: Math.max(1, Math.round(job.connections * share)),
        duration: seconds,
        overallRate: job.overallRate && job.overallRate * share,
        timeout: 10,
        requests: [
          {
            setupRequest: (request) => {
              const { method, path, headers = {}, body } = next()
              return { ...request, method, path, headers, body: body ?? Buffer.alloc(0) }
            }
          }
        ]
      },
      (error, result) => (error ? reject(error) : resolve(result))
    )
    if (latencies) instance.on('response', (_client, _status, _bytes, ms: number) => latencies.add(ms))
  })

/** One run against every URL of the job at once. */
const fire = async (job: LoadJob, seconds: number, next: () => BenchRequest, latencies?: Latencies) => {
  const urls = job.urls ?? [job.url]
  const results = await Promise.all(
    urls.map((url) => fireAt(url, 1 / urls.length, job, seconds, next, latencies))
  )
  const statuses: Record<string, number> = {}
  for (const result of results)
    for (const [code, { count }] of Object.entries(result.statusCodeStats))
      statuses[code] = (statuses[code] ?? 0) + Number(count)
  return {
    duration: Math.max(...results.map((result) => result.duration)),
    errors: results.reduce((sum, result) => sum + result.errors, 0),
    timeouts: results.reduce((sum, result) => sum + result.timeouts, 0),
    statuses
  } satisfies Fired
}

const main = async () => {
  const job: LoadJob = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'))
  const data: LoadData = JSON.parse(fs.readFileSync(job.dataFile, 'utf8'))
  const scenario = scenarios.find((s) => s.name === job.scenario)
  const next = scenario ? scenario.request(data) : soakMix(data)
  if (job.warmupSeconds > 0) await fire(job, job.warmupSeconds, next)
  const latencies = new Latencies()
  console.log(MEASURING)
  const cpu = process.cpuUsage()
  const result = await fire(job, job.seconds, next, latencies)
  const { user, system } = process.cpuUsage(cpu)
  const [p50, p99] = latencies.percentiles(50, 99)
  const { statuses } = result
  const requests = latencies.count
  const output: LoadResult = {
    requestsPerSecond: requests / result.duration,
    requests,
    p50,
    p99,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.duration,
    generatorCpu: (user + system) / 1e4 / result.duration
  }
  console.log(JSON.stringify(output))
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})

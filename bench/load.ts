import fs from 'node:fs'
import path from 'node:path'
import { runWorker, spawnNode } from './processes'
import { rssOf, sampleProcess, watchOthers } from './proc'
import { monotonicMicros } from './profile'
import type { BenchServer } from './servers'
import type { BenchContext } from './context'
import type { LoadJob, LoadResult } from './load-worker'

export interface ServerUsage {
  /** RSS just before the run. */
  rssIdle: number
  /** Peak RSS while measured. */
  rssLoad: number
  rssSamples: number[]
  /** The server's CPU while measured, in % of its core. */
  serverCpu: number
  /** When the measurement ran, on the monotonic clock in µs (to cut a CPU profile by scenario). */
  measuredFrom: number
  measuredTo: number
  /** CPU of unrelated processes meanwhile, in % of one core (other work skewing the figures). */
  otherCpu: number
}

export interface Measured extends LoadResult, ServerUsage {}

/**
 * Runs a worker (load or fan-out) against a server, sampling the server from the moment the worker says it
 * is measuring until it ends.
 */
export const withUsage = async <T>(
  server: BenchServer,
  run: (onMeasuring: () => void) => Promise<T>,
  intervalMs = 250
): Promise<T & ServerUsage> => {
  const rssIdle = rssOf(server.pid)
  let sampler: ReturnType<typeof sampleProcess> | undefined
  let measuredFrom = NaN
  let others: (() => number) | undefined
  const result = await run(() => {
    measuredFrom = monotonicMicros()
    sampler = sampleProcess(server.pid, intervalMs)
    others = watchOthers([server.pid, process.pid])
  })
  const measuredTo = monotonicMicros()
  const usage = sampler?.stop()
  const otherCpu = others?.() ?? NaN
  return {
    ...result,
    rssIdle,
    rssLoad: usage?.peak ?? NaN,
    rssSamples: usage?.samples ?? [],
    serverCpu: usage?.cpuPercent ?? NaN,
    measuredFrom,
    measuredTo,
    otherCpu
  }
}

/** A scenario's job with the run's settings; `overallRate` fixes the request rate (default: closed loop). */
export const loadJob = (context: BenchContext, scenario: string, overallRate?: number) => ({
  scenario,
  seconds: context.options.seconds,
  warmupSeconds: context.options.warmupSeconds,
  connections: context.options.connections,
  dataFile: context.dataFile,
  ...(overallRate && { overallRate })
})

/** One load-generator run (warm-up, then measurement) against one server. */
export const measureLoad = async (
  server: BenchServer,
  job: Omit<LoadJob, 'url' | 'urls'>,
  workDir: string,
  rssIntervalMs = 250,
  /** More instances of the same service to spread the load over (usage is sampled on `server` only). */
  more: BenchServer[] = []
): Promise<Measured> => {
  const jobFile = path.join(workDir, `job-${server.target}-${job.scenario}-${more.length + 1}.json`)
  const urls = more.length ? { urls: [server.url, ...more.map((other) => other.url)] } : {}
  fs.writeFileSync(jobFile, JSON.stringify({ ...job, url: server.url, ...urls }))
  // Twice the planned time plus start-up: a hung server fails the run instead of stalling it.
  const budgetMs = (job.seconds + job.warmupSeconds) * 2_000 + 30_000
  return withUsage(
    server,
    (onMeasuring) =>
      runWorker<LoadResult>(spawnNode(1, 'bench/load-worker.ts', { args: [jobFile] }), budgetMs, onMeasuring),
    rssIntervalMs
  )
}

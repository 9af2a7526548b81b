import Redis from 'ioredis'
import { log, type BenchContext } from './context'
import { loadJob, measureLoad, type Measured } from './load'
import { loadProblems } from './problems'
import { scenarios } from './scenarios'
import { startApi } from './servers'

const SCENARIO = scenarios.find((scenario) => scenario.name === 'product-auth')!

export interface InstancesResult {
  title: string
  one?: Measured
  two?: Measured
  /** Why it was not measured, when it was not. */
  skipped?: string
  problems: string[]
}

const redisAnswers = async (url: string) => {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2_000 })
  try {
    await redis.connect()
    return (await redis.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    redis.disconnect()
  }
}

/**
 * Scale-out: two instances on one PostgreSQL, events and rate limits through Redis (src/ops/sync.ts), against one
 * such instance, on the authenticated GET. On this 2-core machine the second instance gets core 1, which it
 * shares with the load generator: the figure is a floor, not what a second machine would add.
 */
export const measureInstances = async (context: BenchContext): Promise<InstancesResult> => {
  const title = `${SCENARIO.title}, instances with REDIS_URL`
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379'
  if (!(await redisAnswers(redisUrl))) {
    log(`no Redis at ${redisUrl}: two instances not measured`)
    return { title, skipped: `no Redis answered at ${redisUrl}`, problems: [] }
  }
  const options = { secrets: context.secrets, redisUrl }
  const a = await startApi(context.databaseUrl, context.workDir, { ...options, core: 0 })
  try {
    const b = await startApi(context.databaseUrl, context.workDir, { ...options, core: 1 })
    try {
      const job = loadJob(context, SCENARIO.name)
      const one = await measureLoad(a, job, context.workDir)
      const two = await measureLoad(a, job, context.workDir, 250, [b])
      for (const [label, result] of [
        ['one', one],
        ['two', two]
      ] as const)
        log(
          `${label} instance(s): ${Math.round(result.requestsPerSecond)} req/s, p99 ${result.p99.toFixed(2)} ms`
        )
      return {
        title,
        one,
        two,
        problems: [
          ...loadProblems('api 1 instance', one, SCENARIO.expected),
          ...loadProblems('api 2 instances', two, SCENARIO.expected)
        ]
      }
    } finally {
      await b.stop()
    }
  } finally {
    await a.stop()
  }
}

import fs from 'node:fs'
import path from 'node:path'
import { runWorker, spawnNode } from './processes'
import { withUsage } from './load'
import type { BenchServer } from './servers'
import type { FanoutJob, FanoutResult } from './fanout-worker'

/** The fan-out worker against one server, sampling the server while it patches and the events flow. */
export const measureFanout = async (server: BenchServer, job: Omit<FanoutJob, 'url'>, workDir: string) => {
  const jobFile = path.join(workDir, `fanout-${server.target}.json`)
  fs.writeFileSync(jobFile, JSON.stringify({ ...job, url: server.url }))
  const worker = () => spawnNode(1, 'bench/fanout-worker.ts', { args: [jobFile] })
  return withUsage(server, (onMeasuring) =>
    runWorker<FanoutResult>(worker(), job.seconds * 2_000 + 60_000, onMeasuring)
  )
}

import type { Application } from '../../declarations'
import type { Job } from './consumer'

/** Runs each job every `intervalMs` (after the previous run ended; never two runs of one job here at once). */
export const scheduleJobs = (app: Application, jobs: Record<string, Job>) => {
  let stopped = false
  const timers = new Map<string, NodeJS.Timeout>()
  const current = new Set<Promise<void>>()
  const loop = (name: string, job: Job, intervalMs: number) => {
    timers.set(
      name,
      setTimeout(() => {
        const run = job.run(app).then(
          () => app.get('metrics')?.jobRuns.inc({ job: name, outcome: 'ok' }),
          (error) => {
            app.get('metrics')?.jobRuns.inc({ job: name, outcome: 'failed' })
            app
              .get('logger')
              .warn({ err: error, job: name }, 'job failed; it runs again at its next interval')
          }
        )
        current.add(run)
        void run.finally(() => {
          current.delete(run)
          if (!stopped) loop(name, job, intervalMs)
        })
      }, intervalMs)
    )
  }
  for (const [name, job] of Object.entries(jobs)) {
    const intervalMs = job.intervalMs(app)
    if (intervalMs > 0) loop(name, job, intervalMs)
  }
  return async () => {
    stopped = true
    for (const timer of timers.values()) clearTimeout(timer)
    await Promise.allSettled([...current])
  }
}

import { durationListMs } from '../../durations'

/** How far a retry may move from its scheduled delay, either way: receivers that failed together spread out. */
const JITTER = 0.2

/**
 * When to try again after `attempts` failed attempts, by the configured schedule (WEBHOOK_RETRY_SCHEDULE, e.g.
 * `5s,30s,2m,10m,1h`: the first retry 5 s after the first attempt, the last 1 h after the fifth), with jitter;
 * undefined when the schedule is spent and the delivery fails.
 */
export const nextAttemptAt = (
  schedule: string,
  attempts: number,
  now = Date.now(),
  random = Math.random
): string | undefined => {
  const delays = durationListMs(schedule)
  const delay = delays[attempts - 1]
  if (delay === undefined) return undefined
  const jittered = delay * (1 - JITTER + 2 * JITTER * random())
  return new Date(now + Math.round(jittered)).toISOString()
}

import fs from 'node:fs'

// Memory and CPU of a server process, from /proc (Linux); NaN where there is no /proc.

/** Resident set size in bytes. */
export const rssOf = (pid: number): number => {
  try {
    const match = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)\s+kB/m)
    return match ? Number(match[1]) * 1024 : NaN
  } catch {
    return NaN
  }
}

// Clock ticks per second of /proc/<pid>/stat: 100 on every Linux this runs on (getconf CLK_TCK).
const TICKS = 100

/** CPU seconds (user + system) the process has used so far. */
export const cpuSecondsOf = (pid: number): number => {
  try {
    // The command name (field 2) may hold spaces: count the fields after its closing parenthesis.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / TICKS
  } catch {
    return NaN
  }
}

export interface ProcessUsage {
  /** The highest RSS seen: "under load". */
  peak: number
  samples: number[]
  /** CPU used while sampled, in % of one core (100 = the server's core was saturated). */
  cpuPercent: number
}

/** Samples a process's RSS and CPU until stopped. */
export const sampleProcess = (pid: number, intervalMs = 250) => {
  const samples: number[] = [rssOf(pid)]
  const cpuStart = cpuSecondsOf(pid)
  const started = Date.now()
  const timer = setInterval(() => samples.push(rssOf(pid)), intervalMs)
  return {
    stop: (): ProcessUsage => {
      clearInterval(timer)
      samples.push(rssOf(pid))
      const cpuPercent = (100 * (cpuSecondsOf(pid) - cpuStart)) / ((Date.now() - started) / 1000)
      return { peak: Math.max(...samples), samples, cpuPercent }
    }
  }
}

/** How busy the whole machine is (% of all cores) over `ms`: other work skews every figure. */
export const machineBusy = async (ms = 2_000) => {
  const read = () => {
    const [, ...ticks] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number)
    const idle = ticks[3] + (ticks[4] ?? 0)
    return { idle, total: ticks.reduce((sum, n) => sum + n, 0) }
  }
  try {
    const before = read()
    await new Promise((resolve) => setTimeout(resolve, ms))
    const after = read()
    return 100 * (1 - (after.idle - before.idle) / (after.total - before.total))
  } catch {
    return NaN
  }
}

const commandOf = (pid: string) => {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')
  } catch {
    return ''
  }
}

/** CPU seconds so far of every process that is not the benchmark's (its servers, workers) nor PostgreSQL's. */
const othersCpu = (ours: number[]) => {
  const totals = new Map<string, number>()
  let pids: string[] = []
  try {
    pids = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))
  } catch {
    return totals
  }
  for (const pid of pids) {
    if (ours.includes(Number(pid))) continue
    const command = commandOf(pid)
    if (!command || command.startsWith('postgres') || /bench\/[\w-]+\.ts/.test(command)) continue
    totals.set(pid, cpuSecondsOf(Number(pid)))
  }
  return totals
}

/**
 * CPU other work took while the benchmark measured, in % of one core: another test run or build on the
 * machine shows here instead of silently slowing a figure. Processes that ended meanwhile are missed.
 */
export const watchOthers = (ours: number[]) => {
  const before = othersCpu(ours)
  const started = Date.now()
  return () => {
    let used = 0
    for (const [pid, seconds] of othersCpu(ours)) used += seconds - (before.get(pid) ?? 0)
    return (100 * used) / ((Date.now() - started) / 1000)
  }
}

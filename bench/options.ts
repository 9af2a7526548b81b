// Command-line flags of `npm run bench`. Every mode is bounded: durations are fixed, never "until stopped".

export type Mode = 'full' | 'smoke' | 'soak'

export interface BenchOptions {
  mode: Mode
  /** Measured seconds per scenario and target. */
  seconds: number
  /** Unmeasured seconds before each measurement, so both servers are compared with a warm JIT. */
  warmupSeconds: number
  /** Concurrent HTTP connections of the load generator (closed loop: each waits for its answer). */
  connections: number
  /** Seconds of patches in the socket fan-out. */
  fanoutSeconds: number
  sockets: number
  eventsPerSecond: number
  /** Soak: fixed request rate and length (5 minutes unless --seconds says otherwise). */
  soakRate: number
  soakSeconds: number
  /** Only these scenarios (`--only=product-anon,fanout`); all when empty. */
  only: string[]
  /** Write a V8 CPU profile of the API server (`node --cpu-prof`) and print its hottest functions. */
  profile: boolean
  /** Where the markdown report goes; smoke, soak and profiled runs only print unless given. */
  out?: string
  /** The whole run is abandoned (servers stopped, database dropped) after this many seconds. */
  budgetSeconds: number
}

const value = (args: string[], name: string) =>
  args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3)

export const parseOptions = (args: string[]): BenchOptions => {
  const known = ['smoke', 'soak', 'profile', 'only', 'seconds', 'connections', 'sockets', 'out']
  const unknown = args.filter((arg) => !known.includes(arg.replace(/^--/, '').split('=')[0]))
  if (unknown.length)
    throw new Error(`Unknown option(s): ${unknown.join(' ')} (known: --${known.join(', --')})`)
  const mode: Mode = args.includes('--smoke') ? 'smoke' : args.includes('--soak') ? 'soak' : 'full'
  const smoke = mode === 'smoke'
  // --seconds: per scenario, or the soak's whole length.
  const seconds = Number(value(args, 'seconds') ?? (smoke ? 1.5 : mode === 'soak' ? 300 : 10))
  const most = mode === 'soak' ? 1800 : 120
  if (!(seconds > 0 && seconds <= most)) throw new Error(`--seconds must be between 0 and ${most}`)
  return {
    mode,
    seconds,
    warmupSeconds: smoke ? 0 : 2,
    connections: Number(value(args, 'connections') ?? 20),
    fanoutSeconds: smoke ? 1.5 : 5,
    sockets: Number(value(args, 'sockets') ?? 200),
    eventsPerSecond: 50,
    soakRate: 1000,
    soakSeconds: seconds,
    only: value(args, 'only')?.split(',').filter(Boolean) ?? [],
    profile: args.includes('--profile'),
    // Smoke, soak and profiled runs (the profiler slows the server) leave bench/results.md alone.
    out:
      value(args, 'out') ?? (mode === 'full' && !args.includes('--profile') ? 'bench/results.md' : undefined),
    budgetSeconds: mode === 'soak' ? seconds + 10 * 60 : smoke ? 5 * 60 : 20 * 60
  }
}

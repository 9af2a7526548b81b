import fs from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import type { ChildProcess } from 'node:child_process'
import { freePort, spawnNode, stopChild } from './processes'

export type Target = 'api' | 'raw'

export interface BenchServer {
  target: Target
  pid: number
  url: string
  /** The server's stdout and stderr (the API logs one line per request, as in production). */
  logFile: string
  stop: () => Promise<void>
}

const tail = (file: string, lines = 30) => {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n')
  } catch {
    return ''
  }
}

/** Polls a readiness URL; fails at once if the process exits, and after `timeoutMs` otherwise. */
const waitReady = async (child: ChildProcess, url: string, logFile: string, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url} exited with ${child.exitCode}:\n${tail(logFile)}`)
    try {
      if ((await fetch(url)).ok) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${url} was not ready within ${timeoutMs} ms:\n${tail(logFile)}`)
}

const start = async (
  target: Target,
  script: string,
  readyPath: string,
  env: NodeJS.ProcessEnv,
  port: number,
  logDir: string,
  { nodeArgs = [], core = 0 }: { nodeArgs?: string[]; core?: 0 | 1 } = {}
): Promise<BenchServer> => {
  const logFile = path.join(logDir, `${target}-${port}.log`)
  const fd = fs.openSync(logFile, 'a')
  const child = spawnNode(core, script, { env, nodeArgs, stdio: ['ignore', fd, fd] })
  fs.closeSync(fd)
  const url = `http://127.0.0.1:${port}`
  try {
    await waitReady(child, `${url}${readyPath}`, logFile)
  } catch (error) {
    await stopChild(child, 2_000)
    throw error
  }
  let stopping: Promise<void> | undefined
  const stop = () =>
    (stopping ??= stopChild(child).then((code) => {
      if (code !== 0 && code !== null)
        console.warn(`${target} server exited with ${code}:\n${tail(logFile, 10)}`)
    }))
  return { target, pid: child.pid!, url, logFile, stop }
}

/** One run's secrets, shared by every API instance so that a token works on any of them. */
export const benchSecrets = () => ({
  JWT_SECRET: randomBytes(32).toString('hex'),
  PAYMENT_WEBHOOK_SECRET: randomBytes(32).toString('hex'),
  // Production refuses to serve /metrics to the world; the bench does not scrape it.
  METRICS_TOKEN: randomBytes(32).toString('hex')
})

export interface ApiOptions {
  secrets: ReturnType<typeof benchSecrets>
  profileDir?: string
  /** Several instances: events and rate limits through this Redis (src/ops/sync.ts), as when scaled out. */
  redisUrl?: string
  core?: 0 | 1
}

/**
 * The service as deployed: production settings on PostgreSQL, listening on loopback only, logging every
 * request (to a file here). Migrations are applied at start, which creates the schema the seed fills.
 */
export const startApi = async (
  databaseUrl: string,
  logDir: string,
  { secrets, profileDir, redisUrl, core = 0 }: ApiOptions
) => {
  const port = await freePort()
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    ...secrets,
    // Soak runs outlast the default 15 minutes of an access token.
    ACCESS_TOKEN_TTL: '2h',
    LOG_LEVEL: 'info'
  }
  // Stdout only, and rate limits in memory unless scaled out: the run measures this process and PostgreSQL.
  delete env.LOG_DIR
  delete env.REDIS_URL
  if (redisUrl) env.REDIS_URL = redisUrl
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []
  return start('api', 'src/index.ts', '/health/ready', env, port, logDir, { nodeArgs, core })
}

/** The baseline: bench/raw-server.ts, node:http + pg and the same queries, on the same database. */
export const startRaw = async (databaseUrl: string, logDir: string) => {
  const port = await freePort()
  const env = { ...process.env, HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: databaseUrl }
  return start('raw', 'bench/raw-server.ts', '/health', env, port, logDir)
}

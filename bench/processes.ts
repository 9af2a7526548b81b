import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process'
import net from 'node:net'
import os from 'node:os'

// Server on core 0, load generators on core 1: neither steals the other's CPU, so a slow server shows as
// a slow server rather than as a starved load generator. PostgreSQL is not pinned (it is not ours).

export type Core = 0 | 1

let pinnable: boolean | undefined
const canPin = () =>
  (pinnable ??= os.availableParallelism() >= 2 && spawnSync('taskset', ['-c', '1', 'true']).status === 0)

export const pinning = () => (canPin() ? 'taskset: server on core 0, load generator on core 1' : 'not pinned')

/**
 * `node --require tsx/cjs <script>` on the given core (when taskset exists; it execs, so the pid is node's): as
 * `npm start` runs the server, with tsx's in-thread CommonJS hook rather than its ESM loader thread.
 */
export const spawnNode = (
  core: Core,
  script: string,
  { args = [], nodeArgs = [], env = process.env, stdio = 'pipe' }: SpawnNodeOptions = {}
): ChildProcess => {
  const command = [process.execPath, ...nodeArgs, '--require', 'tsx/cjs', script, ...args]
  const pinned = canPin() ? ['taskset', '-c', String(core), ...command] : command
  return spawn(pinned[0], pinned.slice(1), { env, stdio })
}

interface SpawnNodeOptions {
  args?: string[]
  nodeArgs?: string[]
  env?: NodeJS.ProcessEnv
  stdio?: StdioOptions
}

/** A free loopback port, chosen before the server starts so nothing has to parse its logs. */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })

/** Resolves with the exit code; SIGKILL after `graceMs` if SIGTERM was not enough. */
export const stopChild = (child: ChildProcess, graceMs = 15_000) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode)
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs)
    child.once('exit', (code) => {
      clearTimeout(kill)
      resolve(code)
    })
    child.kill('SIGTERM')
  })

/** The line a worker prints when its measured phase starts (after connecting and warming up). */
export const MEASURING = 'measuring'

/**
 * Runs a worker to completion and returns the JSON it prints as its last stdout line; `onMeasuring` runs
 * once it has printed MEASURING.
 */
export const runWorker = <T>(child: ChildProcess, timeoutMs: number, onMeasuring = () => {}) =>
  new Promise<T>((resolve, reject) => {
    let stdout = ''
    let stderr = ''
    let measuring = false
    child.stdout!.on('data', (chunk) => {
      stdout += chunk
      if (!measuring && stdout.includes(`${MEASURING}\n`)) {
        measuring = true
        onMeasuring()
      }
    })
    child.stderr!.on('data', (chunk) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.once('error', reject)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      const last = stdout.trim().split('\n').pop() ?? ''
      if (code !== 0) return reject(new Error(`worker failed (${code ?? signal}): ${stderr || stdout}`))
      try {
        resolve(JSON.parse(last) as T)
      } catch {
        reject(new Error(`worker printed no result: ${stdout}${stderr}`))
      }
    })
  })

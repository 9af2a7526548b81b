import { spawn, spawnSync, type ChildProcess } from 'node:child_process'

// The real entry points as a user runs them (`npm start`, `npm run cli`), in child processes.

/** The test environment on the embedded database (DATABASE_URL removed), logging at info level. */
export const baseEnv = () => {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', PORT: '0' }
  delete env.DATABASE_URL
  return env
}

/** As `npm start` runs the server: TypeScript through tsx's CommonJS hook (no loader thread). */
export const serverScript = (script: string) => ['--require', 'tsx/cjs', script]
/** As `npm run cli` runs the CLI: through tsx's loader (the CLI imports its commands on demand). */
export const cliScript = (script: string) => ['--import', 'tsx', script]

export interface Started {
  child: ChildProcess
  url: string
  output: () => string
}

/** `npm start` with `env`; resolves once the server says where it listens. */
export const startProcess = (env: NodeJS.ProcessEnv): Promise<Started> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, serverScript('src/index.ts'), {
      env,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let output = ''
    const onData = (chunk: Buffer) => {
      output += chunk
      const match = output.match(/listening on (http:\/\/localhost:\d+)/)
      if (match) resolve({ child, url: match[1], output: () => output })
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.on('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)))
  })

/** `npm run worker` with `env`; resolves once the worker says it runs. */
export const startWorker = (env: NodeJS.ProcessEnv): Promise<Omit<Started, 'url'>> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, serverScript('src/worker.ts'), {
      env,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let output = ''
    const onData = (chunk: Buffer) => {
      output += chunk
      if (output.includes('worker running')) resolve({ child, output: () => output })
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.on('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)))
  })

/** `kill -9`: no handler runs; resolves once it is gone. */
export const killProcess = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.on('exit', () => resolve())
    child.kill('SIGKILL')
  })

/** SIGTERM, as a process manager stops it; resolves with the exit code. */
export const stopProcess = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code))
    child.kill('SIGTERM')
  })

export const runCli = (args: string[], env: NodeJS.ProcessEnv) =>
  spawnSync(process.execPath, [...cliScript('src/cli.ts'), ...args], {
    env,
    encoding: 'utf8',
    timeout: 60_000
  })

/** A JSON request to a started server (`base`: its URL), as a service would send it; the body parsed if it is JSON. */
export const callJson = async (
  base: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string
) => {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...(token && { authorization: `Bearer ${token}` })
    },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  return { status: response.status, body: await response.json().catch(() => undefined) }
}

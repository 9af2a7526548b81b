import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

// A PostgreSQL cluster of the test's own, on a free port, to stop, freeze or fill: never the shared one.
// PostgreSQL refuses to run as root, so the cluster belongs to the `postgres` user when we are root.

const BIN = '/usr/lib/postgresql/15/bin'

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })

const owner = () => {
  if (process.getuid?.() !== 0) return {}
  return {
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }))
  }
}

export interface PrivateCluster {
  url: string
  port: number
  dir: string
  /** Runs a tool of the cluster (psql, pg_ctl, …) as its owner. */
  run: (tool: string, args: string[]) => string
  sql: (statement: string) => string
  start: () => void
  stop: () => void
  /** Every process of the cluster, postmaster first (for kill -STOP / -CONT). */
  pids: () => number[]
  destroy: () => void
}

export const privateCluster = async (): Promise<PrivateCluster> => {
  const ids = owner()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'private-pg-'))
  if (ids.uid !== undefined) fs.chownSync(dir, ids.uid, ids.gid!)
  const data = path.join(dir, 'data')
  const port = await freePort()
  const run = (tool: string, args: string[]) => {
    const result = spawnSync(path.join(BIN, tool), args, {
      ...ids,
      encoding: 'utf8',
      cwd: dir,
      timeout: 60_000
    })
    if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')}: ${result.stderr}${result.stdout}`)
    return result.stdout
  }
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'])
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`
  const cluster: PrivateCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    run,
    sql: (statement) =>
      run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-Atc', statement, 'postgres']),
    start: () => void run('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', 'start']),
    stop: () => void run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']),
    pids: () => {
      const postmaster = Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0])
      const children = spawnSync('pgrep', ['-P', String(postmaster)], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter(Boolean)
        .map(Number)
      return [postmaster, ...children]
    },
    destroy: () => {
      try {
        cluster.stop()
      } catch {
        // already stopped
      }
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
  cluster.start()
  return cluster
}

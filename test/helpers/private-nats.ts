import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { freePort } from './redis'

/**
 * A private nats-server with JetStream on its own port and store (never the machine's shared one), for outage
 * tests: `kill()` ends it as a crash would; `start()` brings it back on the same port with the same store.
 */
export const privateNats = async () => {
  const port = await freePort()
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'nats-'))
  let child: ChildProcess | undefined
  const start = () =>
    new Promise<void>((resolve, reject) => {
      if (child) return resolve()
      const server = spawn(
        '/usr/sbin/nats-server',
        ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store],
        {
          stdio: ['ignore', 'pipe', 'pipe']
        }
      )
      child = server
      let output = ''
      const onData = (chunk: Buffer) => {
        output += chunk
        if (output.includes('Server is ready')) resolve()
      }
      server.stdout!.on('data', onData)
      server.stderr!.on('data', onData)
      server.on('exit', (code) => reject(new Error(`nats-server exited with ${code}: ${output}`)))
    })
  const kill = () =>
    new Promise<void>((resolve) => {
      const server = child
      child = undefined
      if (!server || server.exitCode !== null) return resolve()
      server.on('exit', () => resolve())
      server.kill('SIGKILL')
    })
  await start()
  const remove = async () => {
    await kill()
    fs.rmSync(store, { recursive: true, force: true })
  }
  return { url: `nats://127.0.0.1:${port}`, start, kill, remove }
}

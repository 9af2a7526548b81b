import { spawn, type ChildProcess } from 'node:child_process'
import net from 'node:net'

/** A free TCP port on this machine, as the OS hands it out. */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })

/**
 * A private redis-server on its own port (never the machine's shared one), to stop and start in outage tests:
 * `kill()` ends it at once, as a crash would; `start()` brings it back on the same port, empty
 * (or leaves it running).
 */
export const privateRedis = async () => {
  const port = await freePort()
  let child: ChildProcess | undefined
  const start = () =>
    new Promise<void>((resolve, reject) => {
      if (child) return resolve()
      const server = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        {
          stdio: ['ignore', 'pipe', 'pipe']
        }
      )
      child = server
      let output = ''
      server.stdout!.on('data', (chunk: Buffer) => {
        output += chunk
        if (output.includes('Ready to accept connections')) resolve()
      })
      server.on('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)))
    })
  const kill = () =>
    new Promise<void>((resolve) => {
      const server = child
      child = undefined
      if (!server || server.exitCode !== null) return resolve()
      server.on('exit', () => resolve())
      server.kill('SIGKILL')
    })
  // Stopped, not ended: connections stay open and nothing answers (a hung server, or a network that drops).
  const freeze = () => child?.kill('SIGSTOP')
  const thaw = () => child?.kill('SIGCONT')
  await start()
  return { url: `redis://127.0.0.1:${port}`, port, start, kill, freeze, thaw }
}

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
 * A server process of the tests' own (a private Redis or NATS), started and killed at will: `start()` resolves
 * once its output shows `ready` (or at once when it runs), `kill()` ends it with SIGKILL, as a crash would.
 */
export const privateDaemon = (command: string, args: string[], ready: string) => {
  let child: ChildProcess | undefined
  const start = () =>
    new Promise<void>((resolve, reject) => {
      if (child) return resolve()
      const server = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
      child = server
      let output = ''
      const onData = (chunk: Buffer) => {
        output += chunk
        if (output.includes(ready)) resolve()
      }
      server.stdout!.on('data', onData)
      server.stderr!.on('data', onData)
      server.on('exit', (code) => reject(new Error(`${command} exited with ${code}: ${output}`)))
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
  return { start, kill, freeze, thaw }
}

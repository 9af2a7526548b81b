import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { freePort, privateDaemon } from './private-daemon'

/**
 * A private nats-server with JetStream on its own port and store (never the machine's shared one), for outage
 * tests: `kill()` ends it as a crash would; `start()` brings it back on the same port with the same store.
 */
export const privateNats = async () => {
  const port = await freePort()
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'nats-'))
  const { start, kill } = privateDaemon(
    '/usr/sbin/nats-server',
    ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store],
    'Server is ready'
  )
  await start()
  const remove = async () => {
    await kill()
    fs.rmSync(store, { recursive: true, force: true })
  }
  return { url: `nats://127.0.0.1:${port}`, start, kill, remove }
}

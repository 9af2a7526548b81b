import { freePort, privateDaemon } from './private-daemon'

export { freePort }

/**
 * A private redis-server on its own port (never the machine's shared one), to stop and start in outage tests:
 * `kill()` ends it at once, as a crash would; `start()` brings it back on the same port, empty
 * (or leaves it running); `freeze()`/`thaw()` hang and resume it.
 */
export const privateRedis = async () => {
  const port = await freePort()
  const daemon = privateDaemon(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    'Ready to accept connections'
  )
  await daemon.start()
  return { url: `redis://127.0.0.1:${port}`, port, ...daemon }
}

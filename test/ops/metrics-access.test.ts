import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { baseEnv, serverScript, startProcess, stopProcess, type Started } from '../helpers/process'

// /metrics is scrapeable, but not by the world: a bearer token, a separate port, or (development) this machine.

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo
      probe.close(() => resolve(port))
    })
  })

/** This machine's first address that is not loopback, if it has one. */
const outsideAddress = () =>
  Object.values(os.networkInterfaces())
    .flat()
    .find((address) => address && address.family === 'IPv4' && !address.internal)?.address

const scrape = async (url: string, headers: Record<string, string> = {}) => {
  const response = await fetch(url, { headers })
  return { status: response.status, headers: response.headers, text: await response.text() }
}

describe('ops: who may read /metrics (child processes)', function () {
  this.timeout(120_000)
  const token = 'metrics-token-for-the-test-0123456789'
  let env: NodeJS.ProcessEnv
  let server: Started | undefined

  beforeEach(() => {
    env = { ...baseEnv(), DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'internal-api-metrics-')) }
  })

  afterEach(async () => {
    if (server) assert.equal(await stopProcess(server.child), 0)
    server = undefined
  })

  it('with METRICS_TOKEN answers only scrapes that send it as a bearer token', async () => {
    server = await startProcess({ ...env, METRICS_TOKEN: token })
    const none = await scrape(`${server.url}/metrics`)
    assert.equal(none.status, 401)
    assert.match(none.headers.get('www-authenticate')!, /^Bearer/)
    assert.match(none.text, /METRICS_TOKEN/)
    assert.equal((await scrape(`${server.url}/metrics`, { authorization: `Bearer ${token}x` })).status, 401)
    assert.equal((await scrape(`${server.url}/metrics`, { authorization: token })).status, 401)
    const scraped = await scrape(`${server.url}/metrics`, { authorization: `Bearer ${token}` })
    assert.equal(scraped.status, 200)
    assert.match(scraped.text, /api_database_up 1/)
  })

  it('with METRICS_PORT serves /metrics on that port only', async () => {
    const metricsPort = await freePort()
    server = await startProcess({ ...env, METRICS_PORT: String(metricsPort) })
    assert.equal((await scrape(`${server.url}/metrics`)).status, 404, 'not on the API port')
    const scraped = await scrape(`http://127.0.0.1:${metricsPort}/metrics`)
    assert.equal(scraped.status, 200)
    assert.match(scraped.text, /process_resident_memory_bytes/)
    assert.equal(
      (await scrape(`http://127.0.0.1:${metricsPort}/users`)).status,
      404,
      'and nothing else there'
    )
  })

  it('with neither, in development, answers this machine only', async () => {
    server = await startProcess({ ...env, HOST: '0.0.0.0' })
    assert.equal((await scrape(`${server.url}/metrics`)).status, 200, 'loopback')
    const outside = outsideAddress()
    if (outside) {
      const port = new URL(server.url).port
      const refused = await scrape(`http://${outside}:${port}/metrics`)
      assert.equal(refused.status, 403, `from ${outside}`)
      assert.match(refused.text, /METRICS_TOKEN or METRICS_PORT/)
      assert.equal((await scrape(`http://${outside}:${port}/health/live`)).status, 200, 'the API is served')
    }
  })

  it('refuses to start in production with neither, naming both settings', () => {
    const secret = 'y'.repeat(40)
    const result = spawnSync(process.execPath, serverScript('src/index.ts'), {
      env: {
        ...env,
        NODE_ENV: 'production',
        JWT_SECRET: secret,
        PAYMENT_WEBHOOK_SECRET: secret,
        // Refused before migrations run: the maintenance database is only connected to, never changed.
        DATABASE_URL: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
      },
      encoding: 'utf8',
      timeout: 60_000
    })
    assert.equal(result.status, 1, result.stdout + result.stderr)
    assert.match(result.stderr, /METRICS_TOKEN .*METRICS_PORT/)
    assert.ok(!result.stderr.includes('    at '), 'no stack trace')
  })
})

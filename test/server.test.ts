import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { baseEnv, runCli, serverScript, startProcess, stopProcess } from './helpers/process'

// The real entry points as a user runs them, on the embedded database in a fresh data directory.
const start = startProcess
const stop = stopProcess
const cli = runCli

describe('server and CLI processes (embedded database)', function () {
  this.timeout(120_000)
  let dataDir: string
  let env: NodeJS.ProcessEnv

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'internal-api-data-'))
    env = { ...baseEnv(), DATA_DIR: dataDir }
  })

  it('creates the first admin with the CLI, then serves the API, refuses a second process, and stops cleanly', async () => {
    const created = cli(
      ['create-user', '--email', 'Boss@Example.com', '--password', 'admin password 1', '--role', 'admin'],
      env
    )
    assert.equal(created.status, 0, created.stderr)
    assert.match(created.stdout, /Created user 1 <boss@example\.com> with roles admin/)

    const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'internal-api-logs-'))
    const server = await start({ ...env, LOG_DIR: logDir })
    try {
      const ready = await fetch(`${server.url}/health/ready`)
      assert.equal(ready.status, 200)
      const login = await fetch(`${server.url}/authentication`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ strategy: 'local', email: 'boss@example.com', password: 'admin password 1' })
      })
      assert.equal(login.status, 201)
      const { accessToken, user } = await login.json()
      assert.deepEqual(user.roles, ['admin'])
      const users = await fetch(`${server.url}/users`, {
        headers: { authorization: `Bearer ${accessToken}` }
      })
      assert.equal((await users.json()).total, 1)

      const second = cli(['create-user', '--email', 'x@example.com', '--password', 'another password'], env)
      assert.equal(second.status, 1)
      assert.match(second.stderr, /is in use by another process/)
    } finally {
      assert.equal(await stop(server.child), 0, 'graceful stop exits 0')
    }
    // Log lines pass through a worker thread when files are written too: read them once it has flushed.
    assert.ok(!server.output().includes('password 1'), 'no password in the logs')
    assert.match(server.output(), /"requestId":/, 'requests are logged as JSON with a request id')
    assert.match(server.output(), /"identity":"user:1"[^\n]*"path":"\/users"/, 'with who called')
    const [logFile] = fs.readdirSync(logDir)
    assert.match(logFile, /^api\.\d{4}-\d\d-\d\d\.\d+\.log$/, 'a daily log file')
    const logged = fs.readFileSync(path.join(logDir, logFile), 'utf8')
    assert.match(logged, /"path":"\/health\/ready"/)
    assert.ok(!logged.includes('admin password 1'))
    // The lock is released on stop: the data directory opens again and kept its rows.
    const again = cli(['create-user', '--email', 'second@example.com', '--password', 'another password'], env)
    assert.equal(again.status, 0, again.stderr)
    assert.match(again.stdout, /Created user 2 /)
  })

  it('on SIGTERM finishes the request in flight, refuses new ones, and exits 0', async () => {
    const server = await start(env)
    const { hostname, port } = new URL(server.url)
    const body = JSON.stringify({ email: 'late@example.com', password: 'long enough 1', name: 'Late' })
    // A request whose body is still arriving when the signal comes.
    const inFlight = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = http.request(
        {
          host: hostname,
          port,
          method: 'POST',
          path: '/users',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
        },
        (response) => {
          let text = ''
          response.on('data', (chunk) => (text += chunk))
          response.on('end', () => resolve({ status: response.statusCode!, text }))
        }
      )
      request.on('error', reject)
      request.write(body.slice(0, 10))
      setTimeout(() => {
        server.child.kill('SIGTERM')
        setTimeout(() => request.end(body.slice(10)), 300)
      }, 200)
    })
    // 'close': the process exited and its stdout was read to the end.
    const exited = new Promise<number | null>((resolve) => server.child.on('close', (code) => resolve(code)))
    const finished = await inFlight
    assert.equal(finished.status, 201, finished.text)
    await new Promise((resolve) => setTimeout(resolve, 100))
    await assert.rejects(fetch(`${server.url}/health/live`), 'no new connections once stopping')
    assert.equal(await exited, 0)
    // Stdout is written asynchronously (src/logger.ts): what was logged up to the exit still arrives.
    const lines = server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line))
    assert.ok(lines.some((line) => line.msg === 'shutting down' && line.signal === 'SIGTERM'))
    assert.ok(lines.some((line) => line.path === '/users' && line.method === 'POST' && line.status === 201))
    assert.ok(!server.output().includes('long enough 1'), 'no password in the logs')
  })

  it('refuses to start on a bad declaration, naming file and path, and migrates nothing', () => {
    const resourcesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bad-resources-'))
    fs.cpSync('src/contexts', resourcesDir, { recursive: true })
    const products = fs.readFileSync(path.join(resourcesDir, 'catalog/products.yaml'), 'utf8')
    fs.writeFileSync(
      path.join(resourcesDir, 'catalog/products.yaml'),
      products.replace('type: integer, min: 0', 'type: money')
    )
    const result = spawnSync(process.execPath, serverScript('src/index.ts'), {
      env: { ...env, RESOURCES_DIR: resourcesDir },
      encoding: 'utf8',
      timeout: 60_000
    })
    assert.equal(result.status, 1)
    assert.match(
      result.stderr,
      /products\.yaml:\d+ \/fields\/priceCents\/type: must be equal to one of the allowed values/
    )
    assert.ok(!result.stderr.includes('    at '), 'no stack trace')
    assert.deepEqual(fs.readdirSync(dataDir), [], 'the database was never opened')
    const check = cli(['check'], { ...env, RESOURCES_DIR: resourcesDir })
    assert.equal(check.status, 1)
    assert.match(check.stderr, /products\.yaml:\d+ \/fields\/priceCents\/type/)
  })

  it('refuses to start in production without DATABASE_URL or with a development secret', () => {
    const start = (extra: NodeJS.ProcessEnv) =>
      spawnSync(process.execPath, serverScript('src/index.ts'), {
        env: { ...env, NODE_ENV: 'production', ...extra },
        encoding: 'utf8',
        timeout: 60_000
      })
    const secret = 'x'.repeat(40)
    const embedded = start({ JWT_SECRET: secret, PAYMENT_WEBHOOK_SECRET: secret })
    assert.equal(embedded.status, 1)
    assert.match(embedded.stderr, /DATABASE_URL/)
    const devSecret = start({
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      PAYMENT_WEBHOOK_SECRET: secret
    })
    assert.equal(devSecret.status, 1)
    assert.match(devSecret.stderr, /JWT_SECRET/)
  })
})

import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

// The real entry points as a user runs them (`npm start`, `npm run cli`), on the embedded database in a
// fresh data directory, in child processes.
const baseEnv = () => {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', PORT: '0' }
  delete env.DATABASE_URL
  return env
}
const tsx = (script: string) => ['--import', 'tsx', script]

interface Started {
  child: ChildProcess
  url: string
  output: () => string
}

const start = (env: NodeJS.ProcessEnv): Promise<Started> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, tsx('src/index.ts'), { env, stdio: ['ignore', 'pipe', 'pipe'] })
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

const stop = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code))
    child.kill('SIGTERM')
  })

const cli = (args: string[], env: NodeJS.ProcessEnv) =>
  spawnSync(process.execPath, [...tsx('src/cli.ts'), ...args], { env, encoding: 'utf8', timeout: 60_000 })

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

    const server = await start(env)
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
      assert.ok(!server.output().includes('password 1'), 'no password in the logs')
      assert.match(server.output(), /"requestId":/, 'requests are logged as JSON with a request id')
      assert.match(server.output(), /"identity":"user:1"[^\n]*"path":"\/users"/, 'with who called')
    } finally {
      assert.equal(await stop(server.child), 0, 'graceful stop exits 0')
    }
    // The lock is released on stop: the data directory opens again and kept its rows.
    const again = cli(['create-user', '--email', 'second@example.com', '--password', 'another password'], env)
    assert.equal(again.status, 0, again.stderr)
    assert.match(again.stdout, /Created user 2 /)
  })

  it('refuses to start on a bad declaration, naming file and path, and migrates nothing', () => {
    const resourcesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bad-resources-'))
    for (const name of fs.readdirSync('config/resources')) {
      fs.copyFileSync(path.join('config/resources', name), path.join(resourcesDir, name))
    }
    const products = fs.readFileSync(path.join(resourcesDir, 'products.yaml'), 'utf8')
    fs.writeFileSync(
      path.join(resourcesDir, 'products.yaml'),
      products.replace('type: integer, min: 0', 'type: money')
    )
    const result = spawnSync(process.execPath, tsx('src/index.ts'), {
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

  it('refuses to start in production with the development JWT secret', () => {
    const result = spawnSync(process.execPath, tsx('src/index.ts'), {
      env: { ...env, NODE_ENV: 'production' },
      encoding: 'utf8',
      timeout: 60_000
    })
    assert.equal(result.status, 1)
    assert.match(result.stderr, /JWT_SECRET/)
  })
})

import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { baseEnv, runCli, startProcess, stopProcess, type Started } from '../helpers/process'

// A server process as `npm start` runs it, with test/fixtures/process/faults.cjs preloaded to inject faults.
describe('process guards: no client action ends the server; a stray rejection is logged and counted', function () {
  this.timeout(120_000)
  let server: Started
  let token: string

  const call = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${server.url}${route}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    return { status: response.status, body: await response.json() }
  }
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
  const counter = async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text()
    return Number(text.match(/^api_unhandled_rejections_total (\d+)/m)?.[1])
  }

  before(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'internal-api-guards-'))
    const fixture = path.resolve('test/fixtures/process/faults.cjs')
    const env = { ...baseEnv(), DATA_DIR: dataDir, NODE_OPTIONS: `--require ${fixture}` }
    const admin = ['create-user', '--email', 'boss@example.com', '--password', 'admin password 1']
    const created = runCli([...admin, '--role', 'admin'], env)
    assert.equal(created.status, 0, created.stderr)
    // Logged in before this server started (a token outlives a restart): it has published nothing yet.
    const first = await startProcess(env)
    server = first
    const login = await fetch(`${server.url}/authentication`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ strategy: 'local', email: 'boss@example.com', password: 'admin password 1' })
    })
    token = (await login.json()).accessToken
    await stopProcess(first.child)
    server = await startProcess(env)
  })

  after(async () => {
    if (server?.child.exitCode === null) await stopProcess(server.child)
  })

  it("survives an admin's DELETE /api-keys/:id with no Socket.io client connected", async () => {
    const key = await call('POST', '/api-keys', { name: 'billing', scopes: [{ resource: 'products' }] })
    assert.equal(key.status, 201)
    assert.equal((await call('DELETE', `/api-keys/${key.body.id}`)).status, 200)
    await pause(500)
    assert.equal(server.child.exitCode, null, `the process still runs: ${server.output().slice(-2000)}`)
    // The same for a user's removal (a synchronous listener): the removal is answered as done.
    const user = await call('POST', '/users', {
      email: 'ann@example.com',
      password: 'long enough 1',
      name: 'A'
    })
    assert.equal(user.status, 201)
    assert.equal((await call('DELETE', `/users/${user.body.id}`)).status, 200)
    await pause(500)
    assert.equal(server.child.exitCode, null, `the process still runs: ${server.output().slice(-2000)}`)
    assert.equal((await fetch(`${server.url}/health/live`)).status, 200)
    assert.equal((await call('GET', '/api-keys')).status, 200)
  })

  it('logs and counts a promise rejection that slips through, and keeps serving', async () => {
    assert.equal(await counter(), 0)
    server.child.kill('SIGUSR2')
    await pause(500)
    assert.equal(server.child.exitCode, null, `the process still runs: ${server.output().slice(-2000)}`)
    assert.equal(await counter(), 1)
    assert.match(server.output(), /"msg":"unhandled rejection"/)
    assert.match(server.output(), /a rejection nobody handles/)
    assert.equal((await fetch(`${server.url}/health/ready`)).status, 200)
  })

  it('still exits non-zero on an uncaught exception, after logging it', async () => {
    const exited = new Promise<number | null>((resolve) => server.child.on('exit', (code) => resolve(code)))
    server.child.kill('SIGHUP')
    assert.equal(await exited, 1)
    assert.match(server.output(), /"msg":"uncaught exception, exiting"/)
    assert.match(server.output(), /an exception nobody catches/)
  })
})

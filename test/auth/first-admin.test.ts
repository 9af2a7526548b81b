import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import config from 'config'
import { baseEnv, runCli, startProcess, stopProcess, type Started } from '../helpers/process'
import { freshDatabase } from '../helpers/postgres'
import { firstAdminProblem } from '../../src/auth/first-admin'

const PASSWORD = 'first admin password 1'

const login = (server: Started, email: string, password: string) =>
  fetch(`${server.url}/authentication`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ strategy: 'local', email, password })
  })

const usersSeenBy = async (server: Started, token: string) =>
  (await (await fetch(`${server.url}/users`, { headers: { authorization: `Bearer ${token}` } })).json()).data

/** Starts the server, expecting it to refuse: resolves with what it printed. */
const refusal = async (env: NodeJS.ProcessEnv) => {
  const started = await startProcess(env).then(
    async (server) => {
      await stopProcess(server.child)
      return undefined
    },
    (error: Error) => error.message
  )
  assert.ok(started, 'the server should have refused to start')
  return started
}

// The first run's admin from ADMIN_EMAIL / ADMIN_PASSWORD, on a fresh database (PostgreSQL in CI's
// PostgreSQL pass, else a fresh embedded data directory), through the real entry point.
describe('first admin from ADMIN_EMAIL and ADMIN_PASSWORD (npm start)', function () {
  this.timeout(180_000)
  let env: NodeJS.ProcessEnv
  let cleanup: () => Promise<unknown>

  beforeEach(async () => {
    const url = config.get<string>('database.url')
    if (url) {
      const database = await freshDatabase(url, 'first_admin')
      env = { ...baseEnv(), DATABASE_URL: database.url }
      cleanup = database.drop
    } else {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'internal-api-first-admin-'))
      env = { ...baseEnv(), DATA_DIR: dataDir }
      cleanup = async () => fs.rmSync(dataDir, { recursive: true, force: true })
    }
  })
  afterEach(() => cleanup())

  it('creates the admin on the first start, never logs the password, and leaves it alone on later starts', async () => {
    const first = await startProcess({ ...env, ADMIN_EMAIL: 'Owner@Example.com', ADMIN_PASSWORD: PASSWORD })
    let token: string
    try {
      const answer = await login(first, 'owner@example.com', PASSWORD)
      assert.equal(answer.status, 201)
      const body = await answer.json()
      assert.deepEqual(body.user.roles, ['admin'])
      token = body.accessToken
      if (!env.DATABASE_URL) {
        // The CLI cannot open the embedded database the server holds: it says how to get the first admin.
        const cli = runCli(
          ['create-user', '--email', 'x@example.com', '--password', PASSWORD, '--role', 'admin'],
          env
        )
        assert.equal(cli.status, 1)
        assert.match(
          cli.stderr,
          /in use by another process.*start the server with ADMIN_EMAIL and ADMIN_PASSWORD/
        )
      }
    } finally {
      assert.equal(await stopProcess(first.child), 0)
    }
    assert.match(first.output(), /created the first admin from ADMIN_EMAIL/)
    assert.ok(!first.output().includes(PASSWORD), 'the password is never logged')

    // Later starts: the same variables, or another email, create nobody and do not fail.
    const later = await startProcess({ ...env, ADMIN_EMAIL: 'someone@example.com', ADMIN_PASSWORD: PASSWORD })
    try {
      const again = await login(later, 'owner@example.com', PASSWORD)
      assert.equal(again.status, 201)
      token = (await again.json()).accessToken
      const users = await usersSeenBy(later, token)
      assert.deepEqual(
        users.map((user: any) => user.email),
        ['owner@example.com']
      )
      assert.equal((await login(later, 'someone@example.com', PASSWORD)).status, 401)
    } finally {
      assert.equal(await stopProcess(later.child), 0)
    }
    assert.ok(!later.output().includes('created the first admin'))
  })

  it('refuses to start with half the pair, a password the policy refuses, or the email of a non-admin', async () => {
    assert.match(await refusal({ ...env, ADMIN_EMAIL: 'owner@example.com' }), /ADMIN_PASSWORD is not/)
    assert.match(await refusal({ ...env, ADMIN_PASSWORD: PASSWORD }), /ADMIN_EMAIL is not/)
    const short = await refusal({ ...env, ADMIN_EMAIL: 'owner@example.com', ADMIN_PASSWORD: 'short' })
    assert.match(short, /ADMIN_EMAIL \/ ADMIN_PASSWORD: password/)
    assert.ok(!short.includes("'short'"), 'the password is not echoed')

    const customer = runCli(
      ['create-user', '--email', 'taken@example.com', '--password', 'customer password'],
      env
    )
    assert.equal(customer.status, 0, customer.stderr)
    const taken = await refusal({ ...env, ADMIN_EMAIL: 'taken@example.com', ADMIN_PASSWORD: PASSWORD })
    assert.match(taken, /belongs to an existing user who is not an admin/)
  })

  it('requires a strong password outside development and test', () => {
    const weak = { email: 'owner@example.com', password: 'change me please' }
    assert.match(firstAdminProblem(weak, 'production') ?? '', /at least 16 characters/)
    assert.match(firstAdminProblem({ ...weak, password: 'short but fine' }, 'staging') ?? '', /16/)
    assert.equal(firstAdminProblem({ ...weak, password: 'x'.repeat(20) }, 'production'), undefined)
    assert.equal(firstAdminProblem(weak, 'development'), undefined)
    assert.equal(firstAdminProblem({ email: '', password: '' }, 'production'), undefined)
  })
})

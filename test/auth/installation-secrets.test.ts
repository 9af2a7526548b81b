import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import jwt from 'jsonwebtoken'
import { signatureHeader } from '../../src/contexts/payments/signature'
import { baseEnv, startProcess, stopProcess } from '../helpers/process'

const defaults = JSON.parse(fs.readFileSync('config/default.json', 'utf8'))

// A server as a newcomer starts it (no NODE_ENV, no secrets set): the secrets published in config/*.json
// must buy nothing, and it must listen on localhost only, as the README says.

const publicAddress = () =>
  Object.values(os.networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address

const canConnect = (host: string, port: string) =>
  fetch(`http://${host}:${port}/health/live`, { signal: AbortSignal.timeout(5000) }).then(
    () => true,
    () => false
  )

describe('installation secrets and binding of a default-configured server (development)', function () {
  this.timeout(180_000)

  it('refuses tokens and webhooks signed with the published secrets, keeps its own across restarts, binds localhost', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-'))
    const env: NodeJS.ProcessEnv = { ...baseEnv(), DATA_DIR: dataDir }
    delete env.NODE_ENV
    delete env.HOST
    let server = await startProcess(env)
    try {
      const email = 'own-secret@example.com'
      const credentials = { email, password: 'long enough 1', name: 'Own' }
      const post = (route: string, body: unknown, headers: Record<string, string> = {}) =>
        fetch(`${server.url}${route}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body)
        })
      assert.equal((await post('/users', credentials)).status, 201)
      const login = await post('/authentication', {
        strategy: 'local',
        email,
        password: credentials.password
      })
      const { accessToken } = await login.json()
      const me = (token: string) =>
        fetch(`${server.url}/users/me`, { headers: { authorization: `Bearer ${token}` } })
      assert.equal((await me(accessToken)).status, 200)

      // The same claims, signed with the repository's development secret.
      const { header, payload } = jwt.decode(accessToken, { complete: true }) as any
      const forged = jwt.sign(payload, defaults.authentication.secret, { header })
      assert.equal((await me(forged)).status, 401, 'a token signed with the published secret is refused')

      const event = JSON.stringify({ id: 'evt_forged', type: 'payment.captured', data: {} })
      const webhook = await fetch(`${server.url}/payments/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-signature': signatureHeader(defaults.payments.webhookSecret, event)
        },
        body: event
      })
      assert.equal(webhook.status, 401, 'a webhook signed with the published secret is refused')

      const file = path.join(dataDir, 'secrets.json')
      assert.equal(fs.statSync(file).mode & 0o777, 0o600)

      const { port } = new URL(server.url)
      const address = publicAddress()
      if (address) assert.equal(await canConnect(address, port), false, `not listening on ${address}`)
      assert.equal(await canConnect('127.0.0.1', port), true)

      assert.equal(await stopProcess(server.child), 0)
      server = await startProcess(env)
      assert.equal((await me(accessToken)).status, 200, 'the same secrets after a restart')
    } finally {
      await stopProcess(server.child)
      fs.rmSync(dataDir, { recursive: true, force: true })
    }
  })
})

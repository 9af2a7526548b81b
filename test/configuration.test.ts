import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import net from 'node:net'
import { baseEnv, runCli, serverScript } from './helpers/process'

// Start-up refuses a wrong configuration in lines that name each wrong setting and why, never a stack.

const start = (extra: NodeJS.ProcessEnv, drop: string[] = []) => {
  const env = { ...baseEnv(), ...extra }
  for (const name of drop) delete env[name]
  const result = spawnSync(process.execPath, serverScript('src/index.ts'), {
    env,
    encoding: 'utf8',
    timeout: 30_000
  })
  assert.equal(result.status, 1, `exits 1: ${result.stdout}${result.stderr}`)
  assert.ok(!/ {4}at |\[object Object\]/.test(result.stderr), `no stack: ${result.stderr}`)
  return result.stderr
}

const secret = 'x'.repeat(40)

describe('start-up configuration', function () {
  this.timeout(120_000)

  it('names DATABASE_URL and why, in one line, when it is malformed or unreachable', () => {
    assert.match(
      start({ DATABASE_URL: 'localhost:5432/shop' }),
      /DATABASE_URL \(database\.url\) has the scheme localhost:/
    )
    assert.match(start({ DATABASE_URL: 'not a url' }), /DATABASE_URL \(database\.url\) is not a URL/)
    const refused = start({ DATABASE_URL: 'postgres://nobody:hunter2@127.0.0.1:1/none' })
    assert.match(
      refused,
      /DATABASE_URL \(database\.url\) postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none: cannot connect: connection refused/
    )
    assert.equal(refused.trim().split('\n').length, 1, refused)
    assert.ok(!refused.includes('hunter2'), 'no password')
  })

  it('reports every missing setting of production at once', () => {
    const message = start({ NODE_ENV: 'production' }, [
      'DATABASE_URL',
      'JWT_SECRET',
      'PAYMENT_WEBHOOK_SECRET'
    ])
    assert.match(message, /DATABASE_URL/)
    assert.match(message, /JWT_SECRET \(authentication\.secret\)/)
    assert.match(message, /PAYMENT_WEBHOOK_SECRET \(payments\.webhookSecret\)/)
    // Before: reported only after the other three were fixed and the database connected.
    assert.match(message, /NODE_ENV=production needs METRICS_TOKEN .* or METRICS_PORT/)
  })

  it('refuses staging and production with a published secret, naming the setting', () => {
    const published = start(
      { NODE_ENV: 'staging', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', JWT_SECRET: secret },
      ['PAYMENT_WEBHOOK_SECRET']
    )
    assert.match(
      published,
      /PAYMENT_WEBHOOK_SECRET \(payments\.webhookSecret\) is the default published in config/
    )
    assert.ok(!/JWT_SECRET/.test(published), 'a set secret is fine')
  })

  it('names a variable that is not a number, malformed JSON or not one of its choices, with every other problem', () => {
    // Before: bad JSON stopped node-config with a stack trace; a non-number dropped the setting ("(root) must have
    // required property 'port'"); a wrong choice gave "must be equal to constant" and "must match a schema in anyOf".
    const message = start({
      PORT: 'abc',
      MAX_CONNECTIONS: '1O0',
      ALLOWED_ORIGINS: 'http://localhost:3030',
      INPUT_LIMITS: '{maxKeys: 200',
      LOG_LEVEL: 'loud',
      METRICS_TOKEN: 'short'
    })
    const lines = message.trim().split('\n').slice(1)
    assert.deepEqual(lines.sort(), [
      "  - ALLOWED_ORIGINS (origins) is not valid JSON (invalid character 'h' at 1:1)",
      '  - INPUT_LIMITS (limits) is not valid JSON (invalid end of input at 1:14)',
      '  - LOG_LEVEL (log.level) must be one of fatal, error, warn, info, debug, trace, silent',
      '  - MAX_CONNECTIONS (server.maxConnections) is not a number',
      '  - METRICS_TOKEN (metricsEndpoint.token) must NOT have fewer than 16 characters',
      '  - PORT (port) is not a number'
    ])
    const cli = runCli(['migrate'], { ...baseEnv(), DATA_DIR: 'memory://', INPUT_LIMITS: '{' })
    assert.equal(cli.status, 1, cli.stderr)
    assert.match(
      cli.stderr,
      /^Invalid environment variables:\n {2}- INPUT_LIMITS \(limits\) is not valid JSON/
    )
  })

  it('names each wrong event setting: workers, NATS, durations, booleans', () => {
    const message = start({
      WORKERS: 'sometimes',
      NATS_URL: 'localhost:4222',
      ORDER_PENDING_TTL: '30 minutes',
      WEBHOOK_RETRY_SCHEDULE: '5s,,1h',
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'yes'
    })
    assert.match(message, /WORKERS \(workers\) must be one of inline, off/)
    assert.match(message, /NATS_URL \(events\.natsUrl\) must be nats:\/\/host:port/)
    assert.match(message, /ORDER_PENDING_TTL \(orders\.pendingTtl\) must be a duration such as 30s/)
    assert.match(
      message,
      /WEBHOOK_RETRY_SCHEDULE \(webhooks\.retrySchedule\) must be durations separated by commas/
    )
    assert.match(
      message,
      /WEBHOOK_ALLOW_PRIVATE_TARGETS \(webhooks\.allowPrivateTargets\) is not true or false/
    )
  })

  it('refuses Stripe enabled without its keys, and production with the simulator unless allowed', () => {
    const stripe = start({ STRIPE_ENABLED: 'true', STRIPE_API_BASE: 'ftp://example' })
    assert.match(stripe, /STRIPE_SECRET_KEY \(payments\.providers\.stripe\.secretKey\) is required/)
    assert.match(stripe, /STRIPE_WEBHOOK_SECRET \(payments\.providers\.stripe\.webhookSecret\) is required/)
    assert.match(stripe, /STRIPE_API_BASE \(payments\.providers\.stripe\.apiBase\)/)
    const wrongKey = start({
      STRIPE_ENABLED: 'true',
      STRIPE_SECRET_KEY: 'pk_test_x',
      STRIPE_WEBHOOK_SECRET: 'whsec_x'
    })
    assert.match(wrongKey, /STRIPE_SECRET_KEY .* must be a secret key: sk_live_… or sk_test_…/)
    const production = { NODE_ENV: 'production', PAYMENTS_SIMULATOR_ENABLED: 'true' }
    assert.match(start(production), /PAYMENTS_SIMULATOR_ENABLED .* refused with NODE_ENV=production/)
    const allowed = start({ ...production, PAYMENTS_ALLOW_SIMULATOR: 'true' })
    assert.ok(!/PAYMENTS_SIMULATOR_ENABLED/.test(allowed), allowed)
    // Production's own configuration disables the simulator: nothing to refuse there.
    assert.ok(!/PAYMENTS_SIMULATOR_ENABLED/.test(start({ NODE_ENV: 'production' })))
  })

  it('stops on an unknown NODE_ENV instead of running on development settings', () => {
    assert.match(
      start({ NODE_ENV: 'prodcution', DATABASE_URL: '' }),
      /NODE_ENV=prodcution is not one of development, test, staging, production/
    )
  })

  it('names HOST and PORT when the server cannot listen there', async () => {
    assert.match(
      start({ HOST: 'no-such-host.invalid' }),
      /^HOST \(host\) no-such-host\.invalid, PORT \(port\) 0: cannot listen: /
    )
    const taken = net.createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const { port } = taken.address() as net.AddressInfo
    try {
      const message = start({ HOST: '127.0.0.1', PORT: String(port) })
      assert.match(message, new RegExp(`PORT \\(port\\) ${port}: cannot listen: .*EADDRINUSE`))
    } finally {
      taken.close()
    }
  })
})

import assert from 'node:assert/strict'
import { api, testServer, userWithRoles, type TestUser } from '../../../../test/helpers/server'
import { useWebhookSettings } from './support'

const errorField = (body: any) => body?.errors?.[0]?.field ?? body?.data?.field

describe('webhooks: /webhook-subscriptions', () => {
  let admin: TestUser
  let customer: TestUser
  let support: TestUser
  let restore: () => void

  before(async () => {
    ;[admin, customer, support] = await Promise.all([
      userWithRoles(['admin']),
      userWithRoles(['customer']),
      userWithRoles(['support'])
    ])
    restore = await useWebhookSettings({ allowPrivateTargets: false })
  })
  // What these tests made must not receive later test files' events (their hosts do not resolve).
  after(async () => {
    restore()
    const { app } = await testServer()
    await app.get('knex')('webhook_subscriptions').whereIn('id', created).delete()
  })

  const created: number[] = []
  const subscribe = async (body: Record<string, unknown>, token = admin.token) => {
    const answer = await api('POST', '/webhook-subscriptions', { token, body })
    if (answer.status === 201) created.push(answer.body.id)
    return answer
  }

  it('returns the whsec_ signing secret once, on create, and never again through any answer', async () => {
    const created = await subscribe({
      url: 'https://hooks.example.com/in',
      events: ['orders.*'],
      description: 'x'
    })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    const { secret, ...record } = created.body
    assert.match(secret, /^whsec_[A-Za-z0-9+/]+={0,2}$/)
    assert.equal(Buffer.from(secret.slice('whsec_'.length), 'base64').length, 32)
    assert.equal(record.signingSecret, undefined)
    assert.equal(record.active, true)
    assert.equal(record.createdBy, admin.id)
    assert.deepEqual(record.events, ['orders.*'])

    const answers = [
      await api('GET', `/webhook-subscriptions/${record.id}`, { token: admin.token }),
      await api('GET', `/webhook-subscriptions?active=true&$limit=100`, { token: admin.token }),
      await api('PATCH', `/webhook-subscriptions/${record.id}`, {
        token: admin.token,
        body: { description: 'changed' }
      })
    ]
    for (const answer of answers) {
      assert.equal(answer.status, 200, JSON.stringify(answer.body))
      const text = JSON.stringify(answer.body)
      assert.ok(!text.includes(secret.slice(6)), 'the secret is never read back')
      assert.ok(!/signingSecret|"secret"/.test(text), text.slice(0, 200))
    }
    const selected = await api('GET', `/webhook-subscriptions?$select[]=signingSecret`, {
      token: admin.token
    })
    assert.equal(selected.status, 400)
    // Stored as it is: deliveries are signed with it.
    const { app } = await testServer()
    const row = await app.get('knex')('webhook_subscriptions').where({ id: record.id }).first()
    assert.equal(row.signingSecret, secret)
  })

  it('is for admins only: 401 without a token, 403 for customers and support', async () => {
    const body = { url: 'https://hooks.example.com/in', events: ['*'] }
    assert.equal((await api('POST', '/webhook-subscriptions', { body })).status, 401)
    assert.equal((await api('GET', '/webhook-subscriptions')).status, 401)
    assert.equal((await api('GET', '/webhook-deliveries')).status, 401)
    for (const user of [customer, support]) {
      assert.equal((await subscribe(body, user.token)).status, 403)
      assert.equal((await api('GET', '/webhook-subscriptions', { token: user.token })).status, 403)
      assert.equal((await api('GET', '/webhook-deliveries', { token: user.token })).status, 403)
    }
  })

  it('refuses URLs that are not http(s), carry credentials or name a private address (400 naming url)', async () => {
    const refused = [
      'ftp://hooks.example.com/in',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'not a url at all',
      'https://user:pass@hooks.example.com/in',
      'http://127.0.0.1:8080/in',
      'http://2130706433/in', // 127.0.0.1 as a number
      'http://0x7f.0.0.1/in',
      'http://0.0.0.0/in',
      'http://10.1.2.3/in',
      'http://172.16.0.1/in',
      'http://192.168.1.10/in',
      'http://169.254.169.254/latest/meta-data/',
      'http://100.100.100.200/in',
      'http://[::1]/in',
      'http://[::]/in',
      'http://[::ffff:127.0.0.1]/in',
      'http://[::ffff:a9fe:a9fe]/in', // 169.254.169.254, IPv4-mapped
      'http://[fd00:ec2::254]/in',
      'http://[fe80::1]/in',
      'http://localhost:3030/in',
      'http://api.localhost/in'
    ]
    for (const url of refused) {
      const { status, body } = await subscribe({ url, events: ['*'] })
      assert.equal(status, 400, `${url}: ${JSON.stringify(body)}`)
      assert.equal(errorField(body), 'url', `${url}: ${JSON.stringify(body)}`)
    }
    const created = await subscribe({ url: 'https://hooks.example.com/in', events: ['*'] })
    const patched = await api('PATCH', `/webhook-subscriptions/${created.body.id}`, {
      token: admin.token,
      body: { url: 'http://169.254.169.254/' }
    })
    assert.equal(patched.status, 400)
    assert.equal(errorField(patched.body), 'url')
    const tooLong = await subscribe({ url: `https://example.com/${'a'.repeat(2000)}`, events: ['*'] })
    assert.equal(tooLong.status, 400)
    assert.match(JSON.stringify(tooLong.body), /url/)
  })

  it('accepts private targets when WEBHOOK_ALLOW_PRIVATE_TARGETS=true', async () => {
    const allowed = await useWebhookSettings({ allowPrivateTargets: true })
    try {
      const created = await subscribe({ url: 'http://127.0.0.1:9/in', events: ['orders.paid'] })
      assert.equal(created.status, 201, JSON.stringify(created.body))
      // Still only http(s) without credentials.
      assert.equal((await subscribe({ url: 'gopher://127.0.0.1/', events: ['*'] })).status, 400)
    } finally {
      allowed()
    }
  })

  it('refuses event patterns that name nothing the API emits, and oversized or malformed lists (400 naming events)', async () => {
    const cases: [unknown, RegExp][] = [
      [['orders.*.*'], /^events/],
      [['*.paid'], /^events/],
      [['ORDERS.paid'], /^events/],
      [['ordrs.*'], /^events\.0$/],
      [['orders.shiped'], /^events\.0$/],
      [['orders.paid', 'sessions.created'], /^events\.1$/], // sessions publish no events
      [['webhook-deliveries.*'], /^events\.0$/],
      [[], /^events/],
      [['orders.paid', 'orders.paid'], /^events/],
      [Array.from({ length: 51 }, (_, i) => `orders.${i}`), /^events/],
      [Array.from({ length: 5000 }, () => 'orders.*'), /^events$/],
      ['orders.*', /^events/],
      [[{ type: 'orders.paid' }], /^events/],
      [['x'.repeat(10_000)], /^events/]
    ]
    for (const [events, field] of cases) {
      const { status, body } = await subscribe({ url: 'https://hooks.example.com/in', events })
      assert.equal(status, 400, `${JSON.stringify(events).slice(0, 80)}: ${JSON.stringify(body)}`)
      assert.match(String(errorField(body) ?? body.message), field, JSON.stringify(body).slice(0, 300))
    }
    const fine = await subscribe({
      url: 'https://hooks.example.com/in',
      events: [
        '*',
        'orders.*',
        'orders.shipped',
        'payments.captured',
        'products.patched',
        'order-items.created'
      ]
    })
    assert.equal(fine.status, 400, 'order-items publishes nothing')
    const good = await subscribe({
      url: 'https://hooks.example.com/in',
      events: ['*', 'orders.*', 'orders.shipped', 'payments.captured', 'products.patched', 'users.created']
    })
    assert.equal(good.status, 201, JSON.stringify(good.body))
  })

  it('refuses the secret and other server-set fields in the body', async () => {
    for (const extra of [
      { signingSecret: 'whsec_AAAA' },
      { secret: 'whsec_AAAA' },
      { createdBy: admin.id }
    ]) {
      const { status } = await subscribe({ url: 'https://hooks.example.com/in', events: ['*'], ...extra })
      assert.equal(status, 400, JSON.stringify(extra))
    }
  })
})

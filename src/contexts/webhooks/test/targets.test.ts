import assert from 'node:assert/strict'
import { isPrivateAddress } from '../private-addresses'
import { sendingProblem, webhookUrlProblem } from '../webhook-target'
import { nextAttemptAt } from '../retry-schedule'
import { attemptResult } from '../record-attempt'
import type { ClaimedDelivery } from '../claim-deliveries'

describe('webhooks: targets, schedule and outcomes (units)', () => {
  it('knows the addresses a webhook may not reach, IPv4 inside IPv6 included', () => {
    const refused = [
      '0.0.0.0',
      '10.0.0.1',
      '100.64.0.1',
      '100.100.100.200',
      '127.0.0.1',
      '127.255.255.254',
      '169.254.169.254',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.0.1',
      '198.18.0.1',
      '224.0.0.1',
      '255.255.255.255',
      '::',
      '::1',
      '[::1]',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:a9fe:a9fe',
      '::ffff:10.0.0.1',
      '64:ff9b::7f00:1',
      '2002:7f00:1::1',
      'fc00::1',
      'fd00:ec2::254',
      'fe80::1',
      'fec0::1',
      'ff02::1',
      '2001:db8::1'
    ]
    for (const address of refused) assert.equal(isPrivateAddress(address), true, address)
    const allowed = ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '::ffff:8.8.8.8', '2606:4700::1111']
    for (const address of allowed) assert.equal(isPrivateAddress(address), false, address)
    assert.equal(isPrivateAddress('example.com'), false, 'a name is judged after DNS')
  })

  it('checks a written URL (shape, literal addresses, localhost) and a URL about to be sent (no names)', () => {
    assert.equal(webhookUrlProblem('https://hooks.example.com/in?x=1', false), undefined)
    assert.match(webhookUrlProblem('http://localhost/', false)!, /this machine/)
    assert.equal(webhookUrlProblem('http://localhost/', true), undefined)
    assert.match(webhookUrlProblem('http://[::ffff:169.254.169.254]/', false)!, /private/)
    assert.match(webhookUrlProblem('data:text/plain,hi', true)!, /http or https/)
    assert.match(webhookUrlProblem('https://a:b@example.com/', true)!, /credentials/)
    // At delivery a name goes to DNS (the lookup refuses private answers); a literal is refused at once.
    assert.equal(sendingProblem('http://localhost:1/', false), undefined)
    assert.match(sendingProblem('http://127.0.0.1:1/', false)!, /private/)
    assert.equal(sendingProblem('http://127.0.0.1:1/', true), undefined)
  })

  it('schedules retries by the configured steps with ±20% jitter, and none after the last', () => {
    const now = Date.parse('2026-12-07T00:00:00Z')
    const at = (attempts: number, random: number) => {
      const next = nextAttemptAt('5s,30s,2m', attempts, now, () => random)
      return next === undefined ? undefined : Date.parse(next) - now
    }
    assert.deepEqual([at(1, 0), at(1, 0.5), at(1, 1)], [4000, 5000, 6000])
    assert.deepEqual([at(2, 0.5), at(3, 0.5)], [30_000, 120_000])
    assert.equal(at(4, 0.5), undefined)
  })

  it('turns an attempt into the delivery change: 2xx succeeds, else the next step, else failed', () => {
    const delivery = (attempts: number) => ({ id: 1, attempts }) as ClaimedDelivery
    const now = new Date('2026-12-07T00:00:00Z')
    assert.deepEqual(attemptResult(delivery(1), { statusCode: 201 }, '1s', now), {
      claimedUntil: null,
      status: 'succeeded',
      lastStatusCode: 201,
      lastError: null,
      deliveredAt: now.toISOString(),
      nextAttemptAt: null
    })
    const retry = attemptResult(delivery(1), { statusCode: 302 }, '1s', now)
    assert.equal(retry.status, undefined)
    assert.equal(retry.lastStatusCode, 302)
    assert.ok(Date.parse(retry.nextAttemptAt!) > now.getTime())
    assert.deepEqual(attemptResult(delivery(2), { error: 'timed out after 10 ms' }, '1s', now), {
      claimedUntil: null,
      lastStatusCode: null,
      lastError: 'timed out after 10 ms',
      status: 'failed',
      nextAttemptAt: null
    })
  })
})

import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { loadDeclarations } from '../../src/engine/declarations/load'
import { servedDocument } from '../../src/ops/openapi'
import { signatureHeader } from '../../src/contexts/payments/signature'
import { baseEnv, runCli, startProcess, stopProcess, type Started } from '../helpers/process'
import { fuzzCases, type FuzzRequest } from './fuzz-cases'
import { responseChecker, type Answer } from './fuzz-check'
import { seeded } from './fuzz-random'
import { PROTOTYPE_NAMES } from './fuzz-values'
import { domain } from '../../src/contexts'
import { SHIPPING_ADDRESS } from '../helpers/commerce'

/** The configuration of the simulated payment provider (its methods: sim_succeed, sim_fail, sim_async). */
const SIMULATED = { get: (key: string) => (key === 'payments' ? { provider: 'simulated' } : undefined) }

// Schema-driven fuzzing over real HTTP, against a server of its own (a child process: a request that kills
// the process is reported, not fatal to the suite, and no other test's rows are changed). Deterministic:
// FUZZ_SEED repeats a run; FUZZ_SCALE (default 1) multiplies the number of requests.
const SEED = Number(process.env.FUZZ_SEED ?? 20261207)
const SCALE = Number(process.env.FUZZ_SCALE ?? 1)
const PASSWORD = 'correct horse battery'
const WEBHOOK_SECRET = `fuzz-webhook-secret-${SEED}-0123456789abcdef`
const PARALLEL = 4
// Unique names per run: on PostgreSQL the database outlives a run. Only the seed shapes the requests.
const RUN = `${SEED}-${process.pid}-${Date.now()}`

interface Problem {
  request: FuzzRequest
  status: number
  message: string
  problem: string
}

/** One request as the fuzz test sends it: JSON unless told otherwise, signed when it is a signed webhook. */
const send = async (url: string, request: FuzzRequest, token: string | undefined): Promise<Answer> => {
  const signed = request.route === '/payments/webhook' && request.body !== undefined && request.signed
  const response = await fetch(`${url}${request.path}${request.query ? `?${request.query}` : ''}`, {
    method: request.method.toUpperCase(),
    headers: {
      ...(request.body !== undefined && { 'content-type': request.contentType ?? 'application/json' }),
      ...(token && { authorization: `Bearer ${token}` }),
      ...(signed && { 'x-signature': signatureHeader(WEBHOOK_SECRET, request.body!) })
    },
    body: request.body
  })
  const text = await response.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // not JSON: kept as text, and the check says so where JSON was documented
  }
  const contentType = response.headers.get('content-type') ?? ''
  return { status: response.status, body, contentType, headers: response.headers }
}

/** The running fuzz session: the server, the document's checker, and every problem found so far. */
class Session {
  problems: Problem[] = []
  statuses = new Map<number, number>()
  check!: ReturnType<typeof responseChecker>

  constructor(readonly url: string) {}

  async call(request: FuzzRequest, token: string | undefined) {
    const answer = await send(this.url, request, token)
    this.statuses.set(answer.status, (this.statuses.get(answer.status) ?? 0) + 1)
    const problem = this.check?.(request, answer)
    const message = String((answer.body as any)?.message ?? answer.body).slice(0, 160)
    if (problem) this.problems.push({ request, status: answer.status, message, problem })
    return answer
  }

  /** A setup request that must succeed; its answer is checked against the document like any other. */
  async setup(method: string, route: string, token: string | undefined, body?: unknown) {
    const request: FuzzRequest = {
      route,
      method,
      principal: 'setup',
      path: route,
      query: '',
      kind: 'setup',
      body: body === undefined ? undefined : JSON.stringify(body)
    }
    const answer = await this.call(request, token)
    assert.ok(answer.status < 300, `${method} ${route}: ${answer.status} ${JSON.stringify(answer.body)}`)
    return answer.body as Record<string, any>
  }

  login(email: string) {
    return this.setup('post', '/authentication', undefined, { strategy: 'local', email, password: PASSWORD })
  }
}

/** Records of our own to read, change and delete: a category, a product, orders, a payment, a refund, a key. */
const makeFixtures = async (session: Session, admin: string, customer: string) => {
  const category = await session.setup('post', '/categories', admin, { name: 'Fuzz', slug: `fuzz-${RUN}` })
  const product = await session.setup('post', '/products', admin, {
    sku: `FUZZ-${RUN}`,
    name: 'Fuzzed',
    priceCents: 500,
    currency: 'USD',
    status: 'active',
    categoryId: category.id
  })
  const stock = { productId: product.id, kind: 'receive', quantity: 100_000, reason: 'fuzz' }
  const receipt = await session.setup('post', '/inventory', admin, stock)
  const line = (quantity: number) => ({
    items: [{ productId: product.id, quantity }],
    shippingAddress: SHIPPING_ADDRESS
  })
  const order = await session.setup('post', '/orders', customer, line(1))
  const paid = await session.setup('post', '/orders', customer, line(2))
  const payment = await session.setup('post', '/payments', customer, {
    orderId: paid.id,
    paymentMethod: 'sim_succeed'
  })
  const refund = await session.setup('post', '/refunds', admin, {
    paymentId: payment.id,
    amountCents: 100,
    reason: 'fuzz'
  })
  const key = await session.setup('post', '/api-keys', admin, {
    name: 'fuzz',
    scopes: [{ resource: 'products', methods: ['find'] }]
  })
  const victim = await session.setup('post', '/users', undefined, {
    email: `victim-${RUN}@example.com`,
    password: PASSWORD,
    name: 'Victim'
  })
  const victimLogin = await session.login(victim.email)
  return {
    owned: {
      categories: [category.id],
      products: [product.id],
      inventory: [receipt.id],
      orders: [order.id, paid.id],
      payments: [payment.id],
      refunds: [refund.id],
      'api-keys': [key.id],
      users: [victim.id],
      sessions: [victimLogin.authentication.payload.sid]
    }
  }
}

const summary = (problems: Problem[]) => {
  const groups = new Map<string, Problem[]>()
  for (const problem of problems) {
    const { request } = problem
    const cause = PROTOTYPE_NAMES.some((name) => request.path.endsWith(`/${name}`))
      ? 'prototype id'
      : request.kind
    const key = `${request.method.toUpperCase()} ${request.route} [${cause}] → ${problem.status}: ${problem.problem}`
    groups.set(key, [...(groups.get(key) ?? []), problem])
  }
  return [...groups.entries()].map(([key, list]) => {
    const { request, message } = list[0]
    const body = request.body === undefined ? '' : ` body ${request.body.slice(0, 120)}`
    const query = request.query ? `?${request.query.slice(0, 120)}` : ''
    return `${key} (${list.length}×; e.g. ${request.principal}: ${request.path}${query}${body} → "${message}")`
  })
}

describe('api: schema-driven fuzzing from /openapi.json (no 5xx, answers as documented)', function () {
  this.timeout(120_000)
  let server: Started
  let dataDir: string
  const adminEmail = `fuzz-admin-${RUN}@example.com`

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-'))
    const env = {
      ...baseEnv(),
      DATA_DIR: dataDir,
      PAYMENT_WEBHOOK_SECRET: WEBHOOK_SECRET,
      ...(process.env.DATABASE_URL && { DATABASE_URL: process.env.DATABASE_URL })
    }
    const created = runCli(
      ['create-user', '--email', adminEmail, '--password', PASSWORD, '--role', 'admin'],
      env
    )
    assert.equal(created.status, 0, created.stderr)
    server = await startProcess(env)
  })

  after(async () => {
    if (server?.child.exitCode === null) await stopProcess(server.child)
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it('generates the same requests from the same seed, and others from another', () => {
    const document = servedDocument(loadDeclarations('src/contexts', domain), SIMULATED)
    const generate = (seed: number) =>
      fuzzCases(document, ['anonymous', 'admin'], {
        random: seeded(seed),
        schemas: document.components.schemas as any,
        ids: [1, 2],
        fixtures: { owned: { orders: [1] } },
        budget: { valid: 1, hostile: 1, queries: 1 }
      })
    const first = generate(SEED)
    assert.deepEqual(generate(SEED), first)
    assert.notDeepEqual(generate(SEED + 1), first)
    const routes = new Set(first.map((request) => `${request.method} ${request.route}`))
    for (const [route, item] of Object.entries<any>(document.paths))
      for (const method of Object.keys(item).filter((key) => key !== 'parameters'))
        assert.ok(routes.has(`${method} ${route}`), `${method} ${route} is fuzzed`)
  })

  it(`answers every generated request without a 5xx and as documented (seed ${SEED})`, async () => {
    console.log(`    fuzz seed ${SEED} (set FUZZ_SEED to repeat or vary it; FUZZ_SCALE for more requests)`)
    const session = new Session(server.url)
    const document = (await send(server.url, { path: '/openapi.json', method: 'get' } as FuzzRequest, ''))
      .body as any
    session.check = responseChecker(document)
    const admin = (await session.login(adminEmail)).accessToken
    const customerEmail = `fuzz-customer-${RUN}@example.com`
    await session.setup('post', '/users', undefined, {
      email: customerEmail,
      password: PASSWORD,
      name: 'Customer'
    })
    const customer = (await session.login(customerEmail)).accessToken
    const tokens: Record<string, string> = { anonymous: '', customer, admin }
    // Logging out ends a session: each principal logs out a second session of its own, not the one it uses.
    const spare: Record<string, string> = {
      anonymous: '',
      customer: (await session.login(customerEmail)).accessToken,
      admin: (await session.login(adminEmail)).accessToken
    }
    const fixtures = await makeFixtures(session, admin, customer)
    const random = seeded(SEED)
    const requests = fuzzCases(document, Object.keys(tokens), {
      random,
      schemas: document.components.schemas,
      ids: Object.values(fixtures.owned).flat(),
      fixtures,
      budget: { valid: 3 * SCALE, hostile: SCALE, queries: 3 * SCALE }
    })
    let died: string | undefined
    const started = Date.now()
    for (let i = 0; i < requests.length && !died; i += PARALLEL) {
      await Promise.all(
        requests.slice(i, i + PARALLEL).map(async (request) => {
          const logout = request.route === '/authentication' && request.method === 'delete'
          try {
            await session.call(request, (logout ? spare : tokens)[request.principal])
          } catch (error) {
            died ??= `${request.method.toUpperCase()} ${request.path} (${request.principal}, ${request.kind}): ${error}`
          }
        })
      )
      if (server.child.exitCode !== null) died ??= `the server exited after request ${i}`
    }
    const counts = [...session.statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}: ${n}`)
    console.log(`    ${requests.length} requests in ${Date.now() - started} ms (${counts.join(', ')})`)
    const lines = summary(session.problems)
    assert.equal(died, undefined, `the server stopped answering: ${died}\n${lines.join('\n')}`)
    assert.ok(!lines.length, `${lines.length} kinds of answers break the contract:\n${lines.join('\n')}`)
  })
})

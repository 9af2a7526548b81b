import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import config from 'config'
import { connectDatabase, MEMORY, type Database } from '../../src/database/connect'
import { freshDatabase } from './postgres'
import { deleteStream, NATS_URL } from './jetstream'
import {
  baseEnv,
  callJson,
  killProcess,
  startProcess,
  startWorker,
  stopProcess,
  type Started
} from './process'

export const DEPLOYMENT_ADMIN = {
  email: 'deployment-admin@example.com',
  password: 'deployment admin password'
}
export const ADDRESS = { line1: '1 Deployment Street', city: 'Seoul', country: 'KR' }

export interface Deployment {
  /** Unique per deployment: for SKUs, emails, stream names. */
  id: string
  env: NodeJS.ProcessEnv
  /** A connection of the test's own to the deployment's database. */
  db: Database
  api: Started | undefined
  workers: Omit<Started, 'url'>[]
  call(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }>
  login(email: string, password: string): Promise<string>
  /** A new customer, registered and logged in over HTTP. */
  customer(): Promise<{ id: number; token: string }>
  /** An active product with `stock` received through the inventory ledger. */
  product(token: string, fields?: { priceCents?: number; stock?: number }): Promise<number>
  addWorker(): Promise<void>
  /** `kill -9` of the last worker started. */
  killWorker(): Promise<void>
  /** `kill -9` of the API process (a crash). */
  killApi(): Promise<void>
  stop(): Promise<void>
}

/**
 * The deployment of docs/events.md with real processes on a fresh PostgreSQL database: the API (`npm start`, with
 * `WORKERS=off` unless `env` says otherwise) and `npm run worker` processes started on demand; with `nats`, a
 * JetStream stream and subjects of its own on the machine's NATS. The first admin is DEPLOYMENT_ADMIN.
 */
export const startDeployment = async (
  name: string,
  { nats = false, env: extra = {} }: { nats?: boolean; env?: NodeJS.ProcessEnv } = {}
): Promise<Deployment> => {
  const id = randomUUID().slice(0, 8)
  const stream = `${name.toUpperCase()}_${id}`
  const database = await freshDatabase(config.get<string>('database.url'), name)
  const env: NodeJS.ProcessEnv = {
    ...baseEnv(),
    DATABASE_URL: database.url,
    WORKERS: 'off',
    EVENTS_RELAY_INTERVAL_MS: '50',
    ADMIN_EMAIL: DEPLOYMENT_ADMIN.email,
    ADMIN_PASSWORD: DEPLOYMENT_ADMIN.password,
    ...(nats && { NATS_URL, NATS_STREAM: stream, NATS_SUBJECT_PREFIX: `${name}-${id}` }),
    ...extra
  }
  const api: Started = await startProcess(env)
  const db = await connectDatabase({ url: database.url, dataDir: MEMORY, acquireConnectionTimeout: 5000 })
  const deployment: Deployment = {
    id,
    env,
    db,
    api,
    workers: [],
    call: (method, path, body, token) => callJson(deployment.api!.url, method, path, body, token),
    login: async (email, password) =>
      (await deployment.call('POST', '/authentication', { strategy: 'local', email, password })).body
        .accessToken,
    customer: async () => {
      const email = `${name}-${randomUUID().slice(0, 8)}@example.com`
      const registered = await deployment.call('POST', '/users', {
        email,
        password: 'customer password',
        name
      })
      assert.equal(registered.status, 201, JSON.stringify(registered.body))
      return { id: registered.body.id, token: await deployment.login(email, 'customer password') }
    },
    product: async (token, { priceCents = 1000, stock = 1000 } = {}) => {
      const sku = `${name}-${randomUUID().slice(0, 8)}`
      const product = await deployment.call(
        'POST',
        '/products',
        { sku, name: `Product ${sku}`, priceCents, currency: 'USD', status: 'active' },
        token
      )
      assert.equal(product.status, 201, JSON.stringify(product.body))
      const receipt = { productId: product.body.id, kind: 'receive', quantity: stock, reason: 'test stock' }
      const received = await deployment.call('POST', '/inventory', receipt, token)
      assert.equal(received.status, 201, JSON.stringify(received.body))
      return product.body.id
    },
    addWorker: async () => {
      deployment.workers.push(await startWorker(env))
    },
    killWorker: () => killProcess(deployment.workers.pop()!.child),
    killApi: async () => {
      await killProcess(deployment.api!.child)
      deployment.api = undefined
    },
    stop: async () => {
      for (const worker of deployment.workers) await killProcess(worker.child)
      if (deployment.api) await stopProcess(deployment.api.child)
      await db.close()
      if (nats) await deleteStream(stream)
      await database.drop()
    }
  }
  return deployment
}

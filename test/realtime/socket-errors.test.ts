import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import config from 'config'
import { io, type Socket } from 'socket.io-client'
import { describeOnPostgres, freshDatabase } from '../helpers/postgres'
import { baseEnv, startProcess, stopProcess, type Started } from '../helpers/process'

// What a Socket.io client receives as an error is what REST sends for the same call: the Feathers JSON shape,
// never a stack trace, never an internal message for a 5xx — in development and in production alike.
const SHAPE = ['className', 'code', 'data', 'errors', 'message', 'name']

/** Socket.io calls and the REST requests that make the same call. */
const calls: Array<{ socket: unknown[]; rest: string }> = [
  { socket: ['find', 'constructor', {}], rest: '/constructor' },
  { socket: ['find', 'toString', {}], rest: '/toString' },
  { socket: ['get', 'products', 'no-such-id', {}], rest: '/products/no-such-id' },
  { socket: ['find', 'products', { $limit: 'x' }], rest: '/products?$limit=x' },
  { socket: ['find', 'users', {}], rest: '/users' }
]

const socketError = (socket: Socket, args: unknown[]) =>
  new Promise<any>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${JSON.stringify(args)}`)), 5000)
    socket.emit(...(args as [string]), (error: unknown) => {
      clearTimeout(timer)
      resolve(error)
    })
  })

const checkServer = async (server: Started) => {
  const socket = io(server.url, { transports: ['websocket'], forceNew: true })
  try {
    for (const call of calls) {
      const error = await socketError(socket, call.socket)
      const what = `${JSON.stringify(call.socket)}: ${JSON.stringify(error)}`
      assert.ok(error, `an error for ${what}`)
      assert.ok(
        Object.keys(error).every((key) => SHAPE.includes(key)),
        `only the Feathers error shape for ${what}`
      )
      assert.equal(typeof error.stack, 'undefined', `no stack for ${what}`)
      if (error.code >= 500) assert.equal(error.message, 'Internal server error', what)
      const rest = await fetch(`${server.url}${call.rest}`)
      assert.deepEqual(error, await rest.json(), `the same error as REST for ${what}`)
      assert.equal(error.code, rest.status, what)
    }
  } finally {
    socket.close()
  }
  assert.doesNotMatch(
    server.output(),
    /"level":50[^\n]*"msg":"socket error"[^\n]*\n?$/,
    'nothing else is wrong'
  )
}

describe('socket errors have the REST shape (NODE_ENV=development)', function () {
  this.timeout(120_000)
  let server: Started

  before(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'socket-errors-'))
    server = await startProcess({ ...baseEnv(), NODE_ENV: 'development', DATA_DIR: dataDir })
  })
  after(async () => {
    if (server) await stopProcess(server.child)
  })

  it('sends no stack trace and no internal message, and logs what was hidden', async () => {
    await checkServer(server)
    assert.match(
      server.output(),
      /"msg":"unexpected socket error"/,
      'the hidden error is logged for operators'
    )
  })
})

describeOnPostgres('socket errors have the REST shape (NODE_ENV=production)', function () {
  this.timeout(120_000)
  let server: Started
  let database: Awaited<ReturnType<typeof freshDatabase>>

  before(async () => {
    database = await freshDatabase(config.get<string>('database.url'), 'socket_errors')
    const secret = () => randomBytes(32).toString('hex')
    server = await startProcess({
      ...baseEnv(),
      NODE_ENV: 'production',
      DATABASE_URL: database.url,
      JWT_SECRET: secret(),
      PAYMENT_WEBHOOK_SECRET: secret(),
      HOST: '127.0.0.1'
    })
  })
  after(async () => {
    if (server) await stopProcess(server.child)
    await database?.drop()
  })

  it('sends no internal message', async () => {
    await checkServer(server)
  })
})

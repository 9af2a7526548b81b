import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import config from 'config'
import { io, type Socket } from 'socket.io-client'
import { NotFound } from '@feathersjs/errors'
import { socketClientError } from '../../src/transports/socket-errors'
import { describeOnPostgres, freshDatabase } from '../helpers/postgres'
import { testServer } from '../helpers/server'
import { baseEnv, startProcess, stopProcess, type Started } from '../helpers/process'

// What a Socket.io client receives as an error is what REST sends for the same call: the Feathers JSON shape,
// never a stack trace, never an internal message for a 5xx — in development and in production alike.
const SHAPE = ['className', 'code', 'data', 'errors', 'message', 'name']

/**
 * Socket.io calls and the REST requests that make the same call. An unknown service is named as such over a
 * socket and as an unknown path over REST: there only the wording differs.
 */
const calls: Array<{ socket: unknown[]; rest: string; ownWording?: boolean }> = [
  { socket: ['find', 'constructor', {}], rest: '/constructor', ownWording: true },
  { socket: ['find', 'toString', {}], rest: '/toString', ownWording: true },
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
      const expected = await rest.json()
      if (call.ownWording) assert.match(error.message, /^Service '\w+' not found$/, what)
      assert.deepEqual(
        error,
        call.ownWording ? { ...expected, message: error.message } : expected,
        `the same error as REST for ${what}`
      )
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

  it('sends no stack trace and no internal message', async () => {
    await checkServer(server)
  })
})

describe('socketClientError: what a socket client gets for an error', () => {
  it('hides an error that is not a Feathers error behind a 500, and hands it to the log', () => {
    const logged: unknown[] = []
    const internal = new TypeError('child.lookup is not a function')
    const sent = socketClientError(internal, (error) => logged.push(error))
    assert.deepEqual(sent, {
      name: 'GeneralError',
      message: 'Internal server error',
      code: 500,
      className: 'general-error'
    })
    assert.deepEqual(logged, [internal])
  })

  it("keeps a Feathers error's JSON, without its stack or other keys", () => {
    const error = { ...new NotFound('No record found for id 7').toJSON(), stack: 'at x', hook: {} }
    assert.deepEqual(
      socketClientError(error, () => assert.fail('a Feathers error is not hidden')),
      {
        name: 'NotFound',
        message: 'No record found for id 7',
        code: 404,
        className: 'not-found'
      }
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
      METRICS_TOKEN: secret(),
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

describe('socket handshake errors have the REST shape', () => {
  it('refuses a handshake with a malformed Authorization header with the REST 401 in `data`', async () => {
    const { url } = await testServer()
    const headers = { authorization: 'Token abc' }
    const socket = io(url, { transports: ['websocket'], forceNew: true, extraHeaders: headers })
    try {
      const error: any = await new Promise((resolve, reject) => {
        socket.once('connect', () => reject(new Error('connected with a malformed Authorization header')))
        socket.once('connect_error', resolve)
      })
      const rest = await fetch(`${url}/users/me`, { headers })
      const expected = await rest.json()
      assert.deepEqual(error.data, expected)
      assert.equal(error.message, expected.message)
      assert.equal(error.data.code, 401)
    } finally {
      socket.close()
    }
  })
})

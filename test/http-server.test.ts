import assert from 'node:assert/strict'
import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { io } from 'socket.io-client'
import { baseEnv, startProcess, stopProcess } from './helpers/process'

// The server as `npm start` runs it, in a child process: connection limits and the stop on SIGTERM.

interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  reused: boolean
  text: string
}

const request = (url: string, agent: http.Agent, options: http.RequestOptions = {}, body?: string) =>
  new Promise<Answer>((resolve, reject) => {
    const req = http.request(url, { agent, ...options }, (response) => {
      let text = ''
      response.on('data', (chunk) => (text += chunk))
      response.on('end', () =>
        resolve({ status: response.statusCode!, headers: response.headers, reused: req.reusedSocket, text })
      )
    })
    req.on('error', reject)
    req.end(body)
  })

/** A raw TCP connection, and a promise of when the server closed it (ms after opening). */
const connect = (port: number) => {
  const socket = net.connect(port, '127.0.0.1')
  const opened = Date.now()
  socket.on('error', () => {})
  const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - opened)))
  return { socket, closed }
}

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms))])

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('HTTP server: bounded connections and a clean stop (child process)', function () {
  this.timeout(120_000)
  let env: NodeJS.ProcessEnv

  beforeEach(() => {
    env = { ...baseEnv(), DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'internal-api-conn-')) }
  })

  it('closes connections past the cap and keeps answering its connected keep-alive client', async () => {
    const server = await startProcess({
      ...env,
      MAX_CONNECTIONS: '10',
      HEADERS_TIMEOUT_MS: '1500',
      KEEP_ALIVE_TIMEOUT_MS: '30000'
    })
    const port = Number(new URL(server.url).port)
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    try {
      assert.equal((await request(`${server.url}/health/live`, agent)).status, 200)
      const idle = Array.from({ length: 30 }, () => connect(port))
      const early = await Promise.all(idle.map(({ closed }) => within(closed, 700)))
      const refused = early.filter((ms) => ms !== 'timeout').length
      assert.ok(refused >= 20, `past the cap of 10, connections are closed at once (${refused} of 30)`)
      const again = await request(`${server.url}/health/live`, agent)
      assert.equal(again.status, 200)
      assert.ok(again.reused, 'on its existing connection')
      // Idle connections that never send a request go after the header timeout, freeing their places.
      const held = await Promise.all(idle.map(({ closed }) => within(closed, 4000)))
      assert.ok(!held.includes('timeout'), 'no connection without a request outlives the header timeout')
      assert.equal((await fetch(`${server.url}/health/live`)).status, 200, 'new clients are served again')
    } finally {
      agent.destroy()
      assert.equal(await stopProcess(server.child), 0)
    }
  })

  it('closes a connection whose headers or body trickle in past their timeouts', async () => {
    const server = await startProcess({ ...env, HEADERS_TIMEOUT_MS: '1500', REQUEST_TIMEOUT_MS: '3000' })
    const port = Number(new URL(server.url).port)
    const timers: NodeJS.Timeout[] = []
    try {
      const slowHeaders = connect(port)
      slowHeaders.socket.write('GET /health/live HTTP/1.1\r\nHost: localhost\r\n')
      timers.push(setInterval(() => slowHeaders.socket.write('X-Slow: 1\r\n'), 200))
      const slowBody = connect(port)
      slowBody.socket.write(
        'POST /users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{'
      )
      timers.push(setInterval(() => slowBody.socket.write(' '), 200))
      const [headersClosed, bodyClosed] = await Promise.all([
        within(slowHeaders.closed, 5000),
        within(slowBody.closed, 7000)
      ])
      assert.notEqual(headersClosed, 'timeout', 'slow headers are cut off after the header timeout')
      assert.ok(Number(headersClosed) >= 1400, `not before it (${headersClosed} ms)`)
      assert.notEqual(bodyClosed, 'timeout', 'a slow body is cut off after the request timeout')
    } finally {
      timers.forEach(clearInterval)
      assert.equal(await stopProcess(server.child), 0)
    }
  })

  it('leaves Socket.io clients, long-polling ones included, connected past those timeouts', async () => {
    const server = await startProcess({ ...env, HEADERS_TIMEOUT_MS: '1000', REQUEST_TIMEOUT_MS: '1500' })
    const sockets = (['polling', 'websocket'] as const).map((transport) =>
      io(server.url, { transports: [transport], forceNew: true, reconnection: false })
    )
    const disconnects: string[] = []
    try {
      await Promise.all(
        sockets.map((socket) => new Promise<void>((resolve) => socket.once('connect', () => resolve())))
      )
      sockets.forEach((socket) => socket.on('disconnect', (reason) => disconnects.push(reason)))
      await sleep(4000)
      assert.deepEqual(disconnects, [])
      for (const socket of sockets) {
        const answer = await new Promise<any[]>((resolve) =>
          socket.emit('find', 'categories', {}, (...args: any[]) => resolve(args))
        )
        assert.ok(!answer[0] && Array.isArray(answer[1]?.data), JSON.stringify(answer))
      }
    } finally {
      sockets.forEach((socket) => socket.close())
      assert.equal(await stopProcess(server.child), 0)
    }
  })

  it('on SIGTERM with Socket.io clients connected exits 0 at once, not after the drain timeout', async () => {
    const server = await startProcess({ ...env, SHUTDOWN_TIMEOUT_MS: '30000' })
    const sockets = [
      io(server.url, { transports: ['websocket'], forceNew: true }),
      io(server.url, { transports: ['polling'], forceNew: true })
    ]
    try {
      await Promise.all(
        sockets.map((socket) => new Promise<void>((resolve) => socket.once('connect', () => resolve())))
      )
      const started = Date.now()
      const code = await stopProcess(server.child)
      const took = Date.now() - started
      assert.equal(code, 0, server.output())
      assert.ok(took < 5000, `stopped in ${took} ms`)
      assert.ok(!server.output().includes('shutdown timed out'))
    } finally {
      sockets.forEach((socket) => socket.close())
    }
  })

  it('on SIGTERM answers a busy keep-alive client with Connection: close, no resets, and finishes requests in flight', async () => {
    const server = await startProcess({ ...env, SHUTDOWN_TIMEOUT_MS: '30000' })
    const exited = new Promise<number | null>((resolve) => server.child.on('exit', resolve))
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    const answers: Answer[] = []
    const hammer = (async () => {
      for (;;) answers.push(await request(`${server.url}/health/live`, agent))
    })().catch((error) => error)
    // A registration whose body is still arriving when the signal comes.
    const body = JSON.stringify({ email: 'slow@example.com', password: 'long enough 1', name: 'Slow' })
    const slowAgent = new http.Agent({ keepAlive: true })
    const inFlight = new Promise<Answer>((resolve, reject) => {
      const req = http.request(
        `${server.url}/users`,
        {
          method: 'POST',
          agent: slowAgent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
        },
        (response) => {
          let text = ''
          response.on('data', (chunk) => (text += chunk))
          response.on('end', () =>
            resolve({ status: response.statusCode!, headers: response.headers, reused: false, text })
          )
        }
      )
      req.on('error', reject)
      req.write(body.slice(0, 10))
      setTimeout(() => req.end(body.slice(10)), 1500)
    })
    await sleep(500)
    const before = answers.length
    assert.ok(before > 5, `the client is busy (${before} answers)`)
    server.child.kill('SIGTERM')
    const registered = await inFlight
    assert.equal(registered.status, 201, registered.text)
    assert.equal(registered.headers.connection, 'close')
    const error = await hammer
    assert.equal(
      error.code,
      'ECONNREFUSED',
      `the client saw the server go, not a reset: ${error.code ?? error}`
    )
    assert.ok(
      answers.slice(before).some((answer) => answer.headers.connection === 'close'),
      'told to close its connection'
    )
    assert.ok(answers.every((answer) => answer.status === 200))
    assert.equal(await exited, 0, server.output())
    agent.destroy()
    slowAgent.destroy()
  })

  it('writes only JSON log lines when a client goes away mid-download, never a stack on stderr', async () => {
    const server = await startProcess(env)
    const port = Number(new URL(server.url).port)
    // A streamed file (Swagger UI's bundle), abandoned after its first bytes, as a closed browser tab does.
    const { socket, closed } = connect(port)
    socket.write('GET /docs/swagger-ui-bundle.js HTTP/1.1\r\nHost: localhost\r\n\r\n')
    await new Promise((resolve) => socket.once('data', resolve))
    socket.destroy()
    await closed
    await sleep(500)
    const exited = stopProcess(server.child)
    assert.equal(await exited, 0)
    // Before: koa's default error handler printed "Error [ERR_STREAM_PREMATURE_CLOSE]: Premature close" and a stack.
    const lines = server.output().trim().split('\n')
    const notJson = lines.filter((line) => !line.startsWith('{'))
    assert.deepEqual(notJson, [], server.output())
  })
})

import fs from 'node:fs'
import { performance } from 'node:perf_hooks'
import { io, type Socket } from 'socket.io-client'
import { Latencies } from './stats'
import { MEASURING } from './processes'

// The socket fan-out, a child process on the load generator's core: N anonymous Socket.io clients listen
// for `products patched` while this process patches one active product at a fixed rate. Each patch carries
// its sequence number; a delivery's latency is its arrival minus the moment that patch was sent (one clock:
// same process). Prints one JSON line (FanoutResult).

export interface FanoutJob {
  url: string
  productId: number
  /** An admin's access token (the raw baseline ignores it). */
  token: string
  sockets: number
  eventsPerSecond: number
  seconds: number
}

export interface FanoutResult {
  patches: number
  failedPatches: number
  expected: number
  delivered: number
  deliveriesPerSecond: number
  p50: number
  p99: number
  /** The PATCH round trips (the write the events come from), for telling write latency from delivery. */
  writeP50: number
  writeP99: number
  connectMs: number
  /** This process's CPU while patching and receiving, in % of its core. */
  generatorCpu: number
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const connect = (url: string) =>
  new Promise<Socket>((resolve, reject) => {
    const socket = io(url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: 20_000
    })
    socket.once('connect', () => resolve(socket))
    socket.once('connect_error', reject)
  })

const main = async () => {
  const job: FanoutJob = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'))
  const connecting = performance.now()
  const sockets: Socket[] = []
  // In batches: 200 simultaneous handshakes would measure the accept queue, not the fan-out.
  for (let i = 0; i < job.sockets; i += 50) {
    sockets.push(
      ...(await Promise.all(Array.from({ length: Math.min(50, job.sockets - i) }, () => connect(job.url))))
    )
  }
  const connectMs = performance.now() - connecting

  const sentAt = new Map<number, number>()
  const latencies = new Latencies()
  for (const socket of sockets) {
    socket.on('products patched', (product: { id: number; description?: string }) => {
      const sent = sentAt.get(Number(/^fanout (\d+)$/.exec(product.description ?? '')?.[1]))
      if (product.id === job.productId && sent !== undefined) latencies.add(performance.now() - sent)
    })
  }
  await sleep(200) // sockets settle into their channels

  const total = Math.round(job.seconds * job.eventsPerSecond)
  const interval = 1000 / job.eventsPerSecond
  console.log(MEASURING)
  const cpu = process.cpuUsage()
  const started = performance.now()
  const patches: Promise<boolean>[] = []
  const writes = new Latencies()
  for (let seq = 0; seq < total; seq++) {
    const due = started + seq * interval
    if (due > performance.now()) await sleep(due - performance.now())
    const sent = performance.now()
    sentAt.set(seq, sent)
    patches.push(
      fetch(`${job.url}/products/${job.productId}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${job.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ description: `fanout ${seq}` })
      }).then(
        async (response) => {
          await response.arrayBuffer()
          writes.add(performance.now() - sent)
          return response.ok
        },
        () => false
      )
    )
  }
  const ok = (await Promise.all(patches)).filter(Boolean).length
  const patchSeconds = (performance.now() - started) / 1000
  const expected = ok * sockets.length
  // Events still in flight get a bounded grace period.
  for (let waited = 0; latencies.count < expected && waited < 3_000; waited += 50) await sleep(50)
  const { user, system } = process.cpuUsage(cpu)
  const [p50, p99] = latencies.percentiles(50, 99)
  const [writeP50, writeP99] = writes.percentiles(50, 99)
  sockets.forEach((socket) => socket.close())
  const result: FanoutResult = {
    patches: total,
    failedPatches: total - ok,
    expected,
    delivered: latencies.count,
    deliveriesPerSecond: latencies.count / patchSeconds,
    p50,
    p99,
    writeP50,
    writeP99,
    connectMs,
    generatorCpu: (user + system) / 1e4 / ((performance.now() - started) / 1000)
  }
  console.log(JSON.stringify(result))
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)

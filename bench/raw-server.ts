import http from 'node:http'
import pg from 'pg'
// socket.io (installed with @feathersjs/socketio) is the wire protocol the clients speak, not a framework:
// the fan-out baseline is a bare broadcast of the same event.
import { Server } from 'socket.io'
import {
  HttpError,
  createOrder,
  orderById,
  orderPageWithLines,
  patchProduct,
  productById,
  productPage
} from './raw-queries'

// The baseline for `npm run bench`: no framework, no hooks, no validation library, no logging — the same
// queries as the API on the same database, so the ratio shows what the pipeline costs per request.

const db = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 })

const readJson = async (req: http.IncomingMessage) => {
  let body = ''
  for await (const chunk of req) body += chunk
  try {
    return JSON.parse(body)
  } catch {
    throw new HttpError(400, 'The request body could not be parsed')
  }
}

// The caller's id comes from a header the load generator sends: the baseline checks no credentials.
const userOf = (req: http.IncomingMessage) => Number(req.headers['x-user-id']) || 0

const route = async (req: http.IncomingMessage, io: Server): Promise<[number, unknown]> => {
  const url = new URL(req.url ?? '/', 'http://localhost')
  const [, resource, rawId] = url.pathname.split('/')
  const id = Number(rawId)
  if (req.method === 'GET' && resource === 'health') return [200, { status: 'ok' }]
  // The GraphQL scenarios' two operations, told apart by their variables: the same SQL, no GraphQL library.
  if (req.method === 'POST' && resource === 'graphql') {
    const { variables } = await readJson(req)
    if (variables?.id) return [200, { data: { product: await productById(db, Number(variables.id)) } }]
    return [200, { data: await orderPageWithLines(db, userOf(req)) }]
  }
  if (resource === 'products' && rawId) {
    if (req.method === 'GET') return [200, await productById(db, id)]
    if (req.method === 'PATCH') {
      const product = await patchProduct(db, id, (await readJson(req)).description)
      io.emit('products patched', product)
      return [200, product]
    }
  }
  if (req.method === 'GET' && resource === 'products') {
    const q = url.searchParams
    const limit = Math.min(Number(q.get('$limit') ?? 20), 100)
    return [
      200,
      await productPage(
        db,
        q.get('status') ?? 'active',
        Number(q.get('priceCents[$gte]') ?? 0),
        limit,
        Number(q.get('$skip') ?? 0)
      )
    ]
  }
  if (resource === 'orders' && req.method === 'GET' && rawId)
    return [200, await orderById(db, id, userOf(req))]
  if (resource === 'orders' && req.method === 'POST' && !rawId) {
    return [201, await createOrder(db, userOf(req), (await readJson(req)).items)]
  }
  throw new HttpError(404, `Path ${url.pathname} not found`)
}

const server = http.createServer((req, res) => {
  route(req, io).then(
    ([status, body]) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    },
    (error) => {
      const status = error instanceof HttpError ? error.status : 500
      if (status === 500) console.error(error)
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({ message: status === 500 ? 'Internal server error' : error.message, code: status })
      )
    }
  )
})
const io = new Server(server)

server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1')

const stop = () => {
  // Closes the sockets and the HTTP server; idle keep-alive connections must not hold the exit up.
  setTimeout(() => process.exit(0), 3_000).unref()
  server.closeIdleConnections()
  io.close(() => db.end().then(() => process.exit(0)))
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)

import assert from 'node:assert/strict'
import { feathers, socketio, authentication as authenticationClient } from '@feathersjs/client'
import { io, type Socket } from 'socket.io-client'
import { api, testServer, unique, userWithRoles, type TestUser } from '../helpers/server'

interface Received {
  event: string
  data: any
}

/** A real @feathersjs/client over Socket.io, optionally authenticated, recording the events it receives. */
const connect = async (user?: TestUser) => {
  const { url } = await testServer()
  const socket: Socket = io(url, { transports: ['websocket'], forceNew: true })
  const client = feathers()
    .configure(socketio(socket))
    .configure(authenticationClient({ storage: undefined as any }))
  if (user) await client.authenticate({ strategy: 'jwt', accessToken: user.token })
  const received: Received[] = []
  for (const path of ['products', 'users', 'categories']) {
    for (const event of ['created', 'patched', 'updated', 'removed']) {
      client.service(path).on(event, (data: any) => received.push({ event: `${path} ${event}`, data }))
    }
  }
  return { client, socket, received }
}

/** Waits until no more events can be in flight: a round trip over the same socket after the change. */
const settle = async (client: any) => {
  await client.service('categories').find({ query: { $limit: 1 } })
  await new Promise((resolve) => setTimeout(resolve, 150))
}

describe('realtime: events reach only those who could get the record (Socket.io)', () => {
  let admin: TestUser
  let customer: TestUser
  let otherCustomer: TestUser
  const sockets: Socket[] = []

  before(async () => {
    admin = await userWithRoles(['admin'])
    customer = await userWithRoles(['customer'])
    otherCustomer = await userWithRoles(['customer'])
  })
  after(() => sockets.forEach((socket) => socket.close()))

  const open = async (user?: TestUser) => {
    const connection = await connect(user)
    sockets.push(connection.socket)
    return connection
  }

  it('serves the same CRUD over Socket.io as over REST, with the same errors', async () => {
    const { client } = await open(customer)
    const anonymous = await open()
    const anonymousSocket = anonymous.socket
    const page = await client.service('products').find({ query: { $limit: 1 } })
    assert.ok(Array.isArray(page.data))
    await assert.rejects(
      client.service('products').create({ sku: unique(), name: 'x', priceCents: 1, currency: 'USD' }),
      {
        name: 'Forbidden',
        code: 403
      }
    )
    await assert.rejects(client.service('products').find({ query: { colour: 'red' } }), (error: any) => {
      assert.equal(error.code, 400)
      assert.equal(error.errors[0].field, 'colour')
      return true
    })
    // What actually crosses the wire: the Feathers error shape, no stack trace.
    const wire = await new Promise<any>((resolve) =>
      anonymousSocket.emit('find', 'products', { colour: 'red' }, (error: unknown) => resolve(error))
    )
    assert.deepEqual(Object.keys(wire).sort(), ['className', 'code', 'data', 'errors', 'message', 'name'])
    await assert.rejects(anonymous.client.service('users').find(), { code: 401 })
  })

  it("keeps draft products and other users' records from customers and anonymous sockets", async () => {
    const watcher = await open(customer)
    const stranger = await open()
    const staff = await open(admin)
    const adminClient = staff.client

    const draft = await adminClient
      .service('products')
      .create({ sku: unique('D'), name: 'Secret', priceCents: 5, currency: 'EUR' })
    await adminClient.service('products').patch(draft.id, { name: 'Still secret' })
    await api('PATCH', `/users/${otherCustomer.id}`, {
      token: otherCustomer.token,
      body: { name: 'Private rename' }
    })
    const active = await adminClient
      .service('products')
      .create({ sku: unique('A'), name: 'Public', priceCents: 5, currency: 'EUR', status: 'active' })
    await settle(watcher.client)
    await settle(stranger.client)
    await settle(staff.client)

    for (const { received } of [watcher, stranger]) {
      const events = received.map((r) => `${r.event} ${r.data.id}`)
      assert.ok(!events.includes(`products created ${draft.id}`), 'no draft product event')
      assert.ok(!events.includes(`products patched ${draft.id}`), 'no draft product patch event')
      assert.ok(!received.some((r) => r.event.startsWith('users')), "no other user's events")
      assert.ok(events.includes(`products created ${active.id}`), 'active products are public')
    }
    const staffEvents = staff.received.map((r) => `${r.event} ${r.data.id}`)
    assert.ok(staffEvents.includes(`products created ${draft.id}`))
    assert.ok(staffEvents.includes(`products patched ${draft.id}`))
    assert.ok(staffEvents.includes(`users patched ${otherCustomer.id}`), 'admins see user changes')
  })

  it('tells a user about their own record and never sends a password hash', async () => {
    const mine = await open(customer)
    const staff = await open(admin)
    await api('PATCH', `/users/${customer.id}`, {
      token: customer.token,
      body: { name: 'New name', password: 'another long one', currentPassword: customer.password }
    })
    await settle(mine.client)
    await settle(staff.client)
    const own = mine.received.filter((r) => r.event === 'users patched')
    assert.deepEqual(
      own.map((r) => r.data.id),
      [customer.id]
    )
    for (const { received } of [mine, staff]) {
      assert.ok(received.length > 0)
      assert.ok(!JSON.stringify(received).includes('password'), 'no password field in any event')
      assert.ok(!JSON.stringify(received).includes('$2b$'), 'no hash in any event')
    }
  })

  it('encodes an event once for all the sockets that receive it, whatever their number', async () => {
    const watchers = [await open(), await open(), await open(customer), await open(customer)]
    const product = await api('POST', '/products', {
      token: admin.token,
      body: { sku: unique('F'), name: 'Fan-out', priceCents: 5, currency: 'EUR', status: 'active' }
    })
    for (const { client } of watchers) await settle(client)
    const { app } = await testServer()
    const encoder = (app as any).io.encoder
    const encode = encoder.encode
    let encodings = 0
    encoder.encode = function (packet: any) {
      if (packet.data?.[0] === 'products patched' && packet.data[1]?.id === product.body.id) encodings++
      return encode.call(this, packet)
    }
    try {
      await api('PATCH', `/products/${product.body.id}`, { token: admin.token, body: { name: 'Fanned out' } })
      for (const { client } of watchers) await settle(client)
    } finally {
      encoder.encode = encode
    }
    for (const { received } of watchers) {
      assert.ok(received.some((r) => r.event === 'products patched' && r.data.name === 'Fanned out'))
    }
    assert.equal(encodings, 1, 'one encoding for the four sockets (and any others watching)')
  })
})

describe('realtime: Socket.io origins come from the configured allow-list', () => {
  const tryConnect = async (origin: string) => {
    const { url } = await testServer()
    const socket = io(url, {
      transports: ['websocket'],
      forceNew: true,
      extraHeaders: { origin },
      reconnection: false
    })
    try {
      return await new Promise<boolean>((resolve) => {
        socket.on('connect', () => resolve(true))
        socket.on('connect_error', () => resolve(false))
      })
    } finally {
      socket.close()
    }
  }

  it('accepts a configured origin and refuses any other', async () => {
    assert.equal(await tryConnect('http://localhost:3030'), true)
    assert.equal(await tryConnect('https://evil.example'), false)
  })
})

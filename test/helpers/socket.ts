import { feathers, socketio, authentication as authenticationClient } from '@feathersjs/client'
import { io, type Socket } from 'socket.io-client'
import { testServer, type TestUser } from './server'

export interface Received {
  event: string
  data: any
}

const open: Socket[] = []

/**
 * A real `@feathersjs/client` over Socket.io to the test server, authenticated as `user` when given,
 * recording the events of `services` (and the server's `authentication revoked` notice) in `received`.
 */
export const openClient = async (
  user?: TestUser,
  services: string[] = ['products', 'users', 'categories', 'sessions', 'orders', 'payments', 'refunds']
) => {
  const { url } = await testServer()
  const socket = io(url, { transports: ['websocket'], forceNew: true })
  open.push(socket)
  const client = feathers()
    .configure(socketio(socket))
    .configure(authenticationClient({ storage: undefined as any }))
  if (user) await client.authenticate({ strategy: 'jwt', accessToken: user.token })
  const received: Received[] = []
  for (const path of services) {
    for (const event of ['created', 'patched', 'updated', 'removed']) {
      client.service(path).on(event, (data: any) => received.push({ event: `${path} ${event}`, data }))
    }
  }
  socket.on('authentication revoked', (data: any) => received.push({ event: 'authentication revoked', data }))
  return { client, socket, received }
}

export const closeClients = () => open.splice(0).forEach((socket) => socket.close())

/** Lets events of changes already made arrive (they are published after commit, asynchronously). */
export const settle = (ms = 200) => new Promise((resolve) => setTimeout(resolve, ms))

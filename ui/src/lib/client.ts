import { feathers } from '@feathersjs/feathers'
import socketio from '@feathersjs/socketio-client'
import authentication from '@feathersjs/authentication-client'
import { io, type Socket } from 'socket.io-client'
import type { ClientApplication, ClientServiceTypes } from '../../../src/generated/client'

export type { ClientApplication }
export type * from '../../../src/generated/types'

export const ACCESS_TOKEN_KEY = 'internal-api-access-token'

/**
 * The one connection of a page: `@feathersjs/client` pieces over Socket.io to the server that served the page,
 * typed by the generated service map (src/generated/client.ts). Every call and every live event uses it.
 */
export const createClient = (): { client: ClientApplication; socket: Socket } => {
  const socket = io({ transports: ['websocket'] })
  const client = feathers<ClientServiceTypes>() as ClientApplication
  client.configure(socketio(socket))
  client.configure(authentication({ storage: window.localStorage, storageKey: ACCESS_TOKEN_KEY }))
  return { client, socket }
}

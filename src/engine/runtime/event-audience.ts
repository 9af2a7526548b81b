import type { ResourceDeclaration } from '../declarations/declaration'
import { keyAllows, type ActiveApiKey } from '../../auth/api-keys'
import { keysMayCall } from './api-key-use'

/**
 * Whether an API key is told of a resource's realtime events, over Socket.io (`readers/<resource>`) and GraphQL
 * subscriptions alike: exactly when it may `get` the resource (a scope allowing `get`, and the declaration's
 * `apiKeys` letting keys read it). A key reads records, it owns none: never told of `realtime: owner` events.
 */
export const keyHearsEvents = (resource: ResourceDeclaration, key: ActiveApiKey) =>
  resource.realtime !== 'owner' && keysMayCall(resource, 'get') && keyAllows(key, resource.name, 'get')

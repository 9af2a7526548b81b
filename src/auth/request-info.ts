import type { Params } from '@feathersjs/feathers'

/** Where a call came from, for sessions and the audit log: set by the REST and Socket.io transports. */
export const requestInfo = (params: Params & { ip?: string; headers?: Record<string, any> }) => ({
  ip: typeof params.ip === 'string' ? params.ip.slice(0, 64) : undefined,
  userAgent:
    typeof params.headers?.['user-agent'] === 'string'
      ? params.headers['user-agent'].slice(0, 512)
      : undefined
})

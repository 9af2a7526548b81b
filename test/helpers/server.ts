import { randomUUID } from 'node:crypto'
import type { RunningServer } from '../../src/server'
import type { UserData } from '../../src/generated/types'

// One server per test run: the embedded database costs seconds and hundreds of MB to start, so test files
// share it and keep their rows apart with unique emails, SKUs and slugs.
let shared: Promise<RunningServer> | undefined

export const testServer = () =>
  (shared ??= import('../../src/server').then(({ startServer }) => startServer(0)))

export const stopTestServer = async () => {
  if (!shared) return
  const running = await shared
  shared = undefined
  await running.stop()
}

export const unique = (prefix = 'x') => `${prefix}-${randomUUID().slice(0, 8)}`

export interface ApiResponse {
  status: number
  body: any
  headers: Headers
}

/** A real HTTP request against the started server. */
export const api = async (
  method: string,
  path: string,
  { body, token, headers = {} }: { body?: unknown; token?: string; headers?: Record<string, string> } = {}
): Promise<ApiResponse> => {
  const { url } = await testServer()
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...(token && { authorization: `Bearer ${token}` }),
      ...headers
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
  })
  const text = await response.text()
  let parsed: unknown = text
  try {
    parsed = text ? JSON.parse(text) : undefined
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed, headers: response.headers }
}

export interface TestUser {
  id: number
  email: string
  password: string
  token: string
}

/** A user with the given roles (made internally, as `cli create-user` does), logged in over REST. */
export const userWithRoles = async (roles: string[]): Promise<TestUser> => {
  const { app } = await testServer()
  const email = `${unique(roles.join('-') || 'user')}@example.com`
  const password = 'correct horse battery'
  const user = await app
    .service('users')
    .create({ email, password, name: 'Test User', roles: roles as UserData['roles'] })
  const login = await api('POST', '/authentication', { body: { strategy: 'local', email, password } })
  if (login.status !== 201) throw new Error(`login failed: ${JSON.stringify(login.body)}`)
  return { id: user.id, email, password, token: login.body.accessToken }
}

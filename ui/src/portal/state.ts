import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { Auth } from '../lib/auth'
import { createClient, type User } from '../lib/client'
import { loadDeclarations, type ClientResource } from '../lib/declarations'

// The one connection, login and declarations of the portal page.
export const { client, socket } = createClient()

/**
 * Why the login ended when the server ended it (revoked on another device, a password change elsewhere): the
 * login form says so. Registered before Auth's own listener, which forgets the user.
 */
let endedBy: string | null = null
let leaving = false
socket.on('authentication revoked', (event: { reason?: string } | undefined) => {
  if (auth.user && !leaving) endedBy = event?.reason ?? 'session ended'
})
export const takeEndedReason = () => {
  const reason = endedBy
  endedBy = null
  return reason
}

export const auth = new Auth(client, socket)

/** Ends the login on purpose (log out, revoke this device): no "you were logged out" notice. */
export const leave = async (end: () => Promise<unknown> = () => auth.logout()) => {
  leaving = true
  try {
    await end()
    auth.forget()
  } finally {
    endedBy = null
    leaving = false
  }
}

// The server disconnects a socket whose access token expired (e.g. after the computer slept through the
// refresh): reconnect and log in again with the refresh token.
socket.on('disconnect', (reason: string) => {
  if (reason !== 'io server disconnect' || !auth.user) return
  socket.connect()
  void auth.refresh().catch(() => auth.forget())
})

/** The signed-in user (null: nobody), re-rendering on login, logout and revocation. */
export const useUser = () => {
  const [user, setUser] = useState<User | null>(auth.user)
  useEffect(() => {
    setUser(auth.user)
    return auth.subscribe(setUser)
  }, [])
  return user
}

export interface Loaded<T> {
  data: T | undefined
  error: unknown
  loading: boolean
  reload: () => void
  setData: (update: (current: T | undefined) => T | undefined) => void
}

/**
 * Loads data for a screen and re-loads it when `deps` change; a late answer for old deps is dropped. Errors are
 * kept for the screen to show, never thrown.
 */
export const useLoad = <T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> => {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: null,
    loading: true
  })
  const generation = useRef(0)
  const run = useCallback(() => {
    const mine = ++generation.current
    setState((current) => ({ ...current, loading: true, error: null }))
    load().then(
      (data) => mine === generation.current && setState({ data, error: null, loading: false }),
      (error) => mine === generation.current && setState({ data: undefined, error, loading: false })
    )
  }, deps)
  useEffect(() => {
    run()
    return () => void generation.current++
  }, [run])
  const setData = useCallback(
    (update: (current: T | undefined) => T | undefined) =>
      setState((current) => ({ ...current, data: update(current.data) })),
    []
  )
  return { ...state, reload: run, setData }
}

type EventName = 'created' | 'patched' | 'updated' | 'removed'

/** Listens to a service's realtime events while the component is mounted. */
export const useServiceEvent = <T>(
  path: 'orders' | 'payments' | 'products' | 'sessions' | 'categories' | 'notifications',
  events: EventName[],
  listener: (record: T, event: EventName) => void
) => {
  const current = useRef(listener)
  current.current = listener
  useEffect(() => {
    const service = client.service(path) as any
    const handlers = events.map((event) => {
      const handler = (record: T) => current.current(record, event)
      service.on(event, handler)
      return [event, handler] as const
    })
    return () => {
      for (const [event, handler] of handlers) service.removeListener(event, handler)
    }
  }, [path, events.join()])
}

/** Calls `listener` whenever the socket connects again (events were missed meanwhile: re-fetch). */
export const useReconnect = (listener: () => void) => {
  const current = useRef(listener)
  current.current = listener
  useEffect(() => {
    // The first connection of the page is no reconnection: what was loaded meanwhile waited for it.
    let connected = socket.connected
    const handler = () => {
      if (connected) current.current()
      connected = true
    }
    socket.on('connect', handler)
    return () => void socket.off('connect', handler)
  }, [])
}

/** One resource's declaration from /declarations.json (its JSON schemas, fields), or undefined while loading. */
export const resource = async (name: string): Promise<ClientResource | undefined> =>
  (await loadDeclarations()).resources.find((candidate) => candidate.name === name)

/** The `?a=b` part of the hash route (`#/?q=apple&page=2`). */
export const hashQuery = () => new URLSearchParams(location.hash.split('?')[1] ?? '')

/** Sets the hash route with a query, dropping empty values. */
export const navigateWithQuery = (
  path: string,
  query: Record<string, string | number | undefined | null>
) => {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value))
  const search = params.toString()
  location.hash = `#${path}${search ? `?${search}` : ''}`
}

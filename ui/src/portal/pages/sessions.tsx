import { useState } from 'preact/hooks'
import type { Session } from '../../lib/client'
import { ErrorBanner } from '../../lib/components'
import { formErrors, type FormErrors } from '../../lib/errors'
import { dateTime } from '../../lib/format'
import { auth, client, leave, useLoad, useReconnect, useServiceEvent } from '../state'
import { Empty, LoadError, Loading } from '../ui'

/** A short name for a User-Agent: the browser and the system, enough to recognise a device. */
export const deviceName = (userAgent: string | null) => {
  if (!userAgent) return 'Unknown device'
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : /curl\//.test(userAgent)
            ? 'curl'
            : 'Browser'
  const system = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad/.test(userAgent)
      ? 'iOS'
      : /Windows/.test(userAgent)
        ? 'Windows'
        : /Mac OS X/.test(userAgent)
          ? 'macOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : ''
  return system ? `${browser} on ${system}` : browser
}

const active = (session: Session) => !session.revokedAt && new Date(session.expiresAt).getTime() > Date.now()

const order = (sessions: Session[]) =>
  [...sessions].sort(
    (a, b) =>
      Number(b.id === auth.sessionId) - Number(a.id === auth.sessionId) ||
      b.lastSeenAt.localeCompare(a.lastSeenAt) ||
      b.id - a.id
  )

const SessionItem = ({
  session,
  revoke,
  busy
}: {
  session: Session
  revoke?: (session: Session) => void
  busy?: boolean
}) => {
  const current = session.id === auth.sessionId
  return (
    <li class={current ? 'card session current' : 'card session'} data-session-id={session.id}>
      <div class="session-head">
        <strong>{deviceName(session.userAgent)}</strong>
        {current && <span class="badge status-active">This device</span>}
        {session.revokedAt && <span class="badge status-cancelled">Ended</span>}
      </div>
      <dl class="facts">
        <dt>Signed in</dt>
        <dd>{dateTime(session.createdAt)}</dd>
        <dt>Last active</dt>
        <dd>{dateTime(session.lastSeenAt)}</dd>
        {session.revokedAt ? (
          <>
            <dt>Ended</dt>
            <dd>{dateTime(session.revokedAt)}</dd>
          </>
        ) : (
          <>
            <dt>Expires</dt>
            <dd>{dateTime(session.expiresAt)}</dd>
          </>
        )}
        {session.ip && (
          <>
            <dt>Address</dt>
            <dd>{session.ip}</dd>
          </>
        )}
      </dl>
      {session.userAgent && <p class="hint user-agent">{session.userAgent}</p>}
      {revoke && (
        <button type="button" class="danger" disabled={busy} onClick={() => revoke(session)}>
          {current ? 'Log out this device' : 'Revoke'}
        </button>
      )}
    </li>
  )
}

export const SessionsPage = () => {
  const userId = auth.user?.id
  const sessions = useLoad(
    async () =>
      order(
        (await client.service('sessions').find({ query: { userId, $sort: { lastSeenAt: -1 }, $limit: 100 } }))
          .data
      ),
    [userId]
  )
  const [busy, setBusy] = useState<number | null>(null)
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [done, setDone] = useState<string | null>(null)

  // Sessions opened or ended elsewhere show up at once.
  useServiceEvent<Session>('sessions', ['created', 'patched', 'updated', 'removed'], (session) => {
    if (session.userId !== userId) return
    sessions.setData(
      (shown) => shown && order([...shown.filter((candidate) => candidate.id !== session.id), session])
    )
  })
  useReconnect(sessions.reload)

  const revoke = async (session: Session) => {
    setBusy(session.id)
    setErrors(null)
    setDone(null)
    try {
      if (session.id === auth.sessionId) {
        // Logging this device out on purpose: forget the tokens (the server also tells this socket).
        await leave(() => client.service('sessions').remove(session.id))
        return
      }
      const revoked = (await client.service('sessions').remove(session.id)) as Session
      sessions.setData(
        (shown) =>
          shown && order(shown.map((candidate) => (candidate.id === revoked.id ? revoked : candidate)))
      )
      setDone(`${deviceName(session.userAgent)} was logged out.`)
    } catch (error) {
      setErrors(formErrors(error))
    } finally {
      setBusy(null)
    }
  }

  const list = sessions.data ?? []
  const open = list.filter(active)
  const ended = list.filter((session) => !active(session)).slice(0, 10)

  return (
    <section aria-labelledby="sessions-title">
      <h1 id="sessions-title">Your sessions</h1>
      <p class="hint">Every device where you are logged in. Revoke one you do not recognise.</p>
      <ErrorBanner errors={errors} />
      <div role="status" aria-live="polite">
        {done && <p class="banner notice">{done}</p>}
      </div>
      {sessions.error ? (
        <LoadError error={sessions.error} retry={sessions.reload} />
      ) : !sessions.data ? (
        <Loading what="Loading your sessions…" />
      ) : (
        <>
          {open.length === 0 ? (
            <Empty>
              <p>No active sessions.</p>
            </Empty>
          ) : (
            <ul class="sessions">
              {open.map((session) => (
                <SessionItem key={session.id} session={session} revoke={revoke} busy={busy === session.id} />
              ))}
            </ul>
          )}
          {ended.length > 0 && (
            <>
              <h2>Recently ended</h2>
              <ul class="sessions ended">
                {ended.map((session) => (
                  <SessionItem key={session.id} session={session} />
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </section>
  )
}

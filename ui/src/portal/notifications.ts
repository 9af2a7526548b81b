import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import type { Notification } from '../lib/client'
import { client, useReconnect, useServiceEvent, useUser } from './state'

// Screens that changed a notification here say so, so the badge does not wait for the socket's echo.
const changed = new Set<() => void>()
export const unreadChanged = () => changed.forEach((listener) => listener())

/** Marks one notification read now; answers it as stored. */
export const markRead = async (notification: Notification) => {
  const read = (await client
    .service('notifications')
    .patch(notification.id, { readAt: new Date().toISOString() })) as Notification
  unreadChanged()
  return read
}

/**
 * How many of the signed-in user's notifications are unread (`readAt: null`), kept current: counted again on
 * login, on every `notifications` event of theirs (a new one, one marked read in another tab), on reconnection,
 * and when a screen here marks one read. Counting again, not adding up events, cannot drift.
 */
export const useUnreadCount = () => {
  const user = useUser()
  const [count, setCount] = useState(0)
  const generation = useRef(0)
  const userId = user?.id
  const recount = useCallback(() => {
    const mine = ++generation.current
    if (userId === undefined) {
      setCount(0)
      return
    }
    // This user's own: an admin may read everyone's.
    client
      .service('notifications')
      .find({ query: { userId, readAt: null, $limit: 0 } })
      .then(
        (page) => mine === generation.current && setCount((page as { total: number }).total),
        // The badge is a hint: a failed count keeps the last one until the next event or reconnection.
        () => undefined
      )
  }, [userId])
  useEffect(recount, [recount])
  useEffect(() => {
    changed.add(recount)
    return () => void changed.delete(recount)
  }, [recount])
  useServiceEvent<Notification>('notifications', ['created', 'patched', 'removed'], (notification) => {
    if (notification.userId === userId) recount()
  })
  useReconnect(recount)
  return count
}

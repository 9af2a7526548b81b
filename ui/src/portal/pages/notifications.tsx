import { useState } from 'preact/hooks'
import type { Notification } from '../../lib/client'
import { ErrorBanner } from '../../lib/components'
import { formErrors, type FormErrors } from '../../lib/errors'
import { dateTime } from '../../lib/format'
import { href } from '../../lib/router'
import { markRead } from '../notifications'
import { auth, client, hashQuery, navigateWithQuery, useLoad, useReconnect, useServiceEvent } from '../state'
import { Empty, LoadError, Loading, Pager } from '../ui'

const PAGE_SIZE = 20

type Page = { total: number; limit: number; skip: number; data: Notification[] }

/** What a notification is about: its order (`data.orderId`), when it names one. */
const orderOf = (notification: Notification) => {
  const orderId = (notification.data as { orderId?: unknown } | null)?.orderId
  return typeof orderId === 'number' ? orderId : undefined
}

const NotificationItem = ({
  notification,
  read,
  busy
}: {
  notification: Notification
  read: (notification: Notification) => void
  busy: boolean
}) => {
  const unread = !notification.readAt
  const orderId = orderOf(notification)
  return (
    <li
      class={unread ? 'card notification unread' : 'card notification'}
      data-notification-id={notification.id}
      data-read={unread ? 'false' : 'true'}
    >
      <div class="notification-head">
        <strong>{notification.title}</strong>
        {unread && <span class="badge status-pending">New</span>}
      </div>
      <p>{notification.body}</p>
      <p class="hint">
        {dateTime(notification.createdAt)}
        {orderId !== undefined && (
          <>
            {' · '}
            <a href={href('orders', orderId)}>View order #{orderId}</a>
          </>
        )}
      </p>
      {unread && (
        <button type="button" class="secondary small" disabled={busy} onClick={() => read(notification)}>
          Mark read
        </button>
      )}
    </li>
  )
}

/** The user's notifications, newest first; new ones arrive live, and each can be marked read. */
export const NotificationsPage = () => {
  const skip = Math.max(0, Number(hashQuery().get('skip')) || 0)
  const userId = auth.user?.id
  const notifications = useLoad(
    () =>
      client.service('notifications').find({
        query: { userId, $sort: { createdAt: -1 }, $limit: PAGE_SIZE, $skip: skip }
      }) as Promise<Page>,
    [skip, userId]
  )
  const [busy, setBusy] = useState<number | null>(null)
  const [errors, setErrors] = useState<FormErrors | null>(null)

  const show = (notification: Notification, isNew: boolean) =>
    notifications.setData((page) => {
      if (!page) return page
      if (page.data.some((shown) => shown.id === notification.id))
        return {
          ...page,
          data: page.data.map((shown) => (shown.id === notification.id ? notification : shown))
        }
      return isNew && skip === 0
        ? { ...page, total: page.total + 1, data: [notification, ...page.data].slice(0, PAGE_SIZE) }
        : page
    })

  useServiceEvent<Notification>('notifications', ['created', 'patched', 'updated'], (notification, event) => {
    if (notification.userId === userId) show(notification, event === 'created')
  })
  useReconnect(notifications.reload)

  const read = async (notification: Notification) => {
    setBusy(notification.id)
    setErrors(null)
    try {
      show(await markRead(notification), false)
    } catch (error) {
      setErrors(formErrors(error))
    } finally {
      setBusy(null)
    }
  }

  return (
    <section aria-labelledby="notifications-title">
      <h1 id="notifications-title">Notifications</h1>
      <p class="hint">News about your orders and payments, as it happens.</p>
      <ErrorBanner errors={errors} />
      {notifications.error ? (
        <LoadError error={notifications.error} retry={notifications.reload} />
      ) : !notifications.data ? (
        <Loading what="Loading your notifications…" />
      ) : notifications.data.data.length === 0 ? (
        <Empty>
          <p>Nothing yet. We will tell you here when your orders are paid, shipped or delivered.</p>
        </Empty>
      ) : (
        <>
          <ul class="notifications" aria-live="polite">
            {notifications.data.data.map((notification) => (
              <NotificationItem
                key={notification.id}
                notification={notification}
                read={read}
                busy={busy === notification.id}
              />
            ))}
          </ul>
          <Pager
            skip={skip}
            limit={PAGE_SIZE}
            total={notifications.data.total}
            go={(next) => navigateWithQuery('/notifications', { skip: next || null })}
            label="Notification pages"
          />
        </>
      )}
    </section>
  )
}

import type { Order, OrderItem } from '../../lib/client'
import { StatusBadge } from '../../lib/components'
import { dateTime, money } from '../../lib/format'
import { href } from '../../lib/router'
import { auth, client, hashQuery, navigateWithQuery, useLoad, useReconnect, useServiceEvent } from '../state'
import { Empty, LoadError, Loading, Pager } from '../ui'

const PAGE_SIZE = 20

/** An order as the server returns it: with its lines. */
export type OrderWithItems = Order & { items?: OrderItem[] }

export const itemCount = (order: OrderWithItems) =>
  (order.items ?? []).reduce((sum, item) => sum + item.quantity, 0)

export const OrdersPage = () => {
  const skip = Math.max(0, Number(hashQuery().get('skip')) || 0)
  const userId = auth.user?.id
  // Staff may see everyone's orders: ask for this user's own.
  const orders = useLoad(
    () =>
      client.service('orders').find({
        query: { userId, $sort: { createdAt: -1 }, $limit: PAGE_SIZE, $skip: skip }
      }) as Promise<{ total: number; limit: number; skip: number; data: OrderWithItems[] }>,
    [skip, userId]
  )

  useServiceEvent<OrderWithItems>('orders', ['created', 'patched', 'updated'], (order, event) => {
    if (order.userId !== userId) return
    orders.setData((page) => {
      if (!page) return page
      if (page.data.some((shown) => shown.id === order.id))
        return {
          ...page,
          data: page.data.map((shown) => (shown.id === order.id ? { ...shown, ...order } : shown))
        }
      return event === 'created' && skip === 0
        ? { ...page, total: page.total + 1, data: [order, ...page.data].slice(0, PAGE_SIZE) }
        : page
    })
  })
  useReconnect(orders.reload)

  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title">Your orders</h1>
      {orders.error ? (
        <LoadError error={orders.error} retry={orders.reload} />
      ) : !orders.data ? (
        <Loading what="Loading your orders…" />
      ) : orders.data.data.length === 0 ? (
        <Empty>
          <p>You have not ordered anything yet.</p>
          <p>
            <a href={href()}>Browse the products</a>
          </p>
        </Empty>
      ) : (
        <>
          <ul class="order-list">
            {orders.data.data.map((order) => (
              <li key={order.id} class="card order-row" data-order-id={order.id}>
                <a class="order-link" href={href('orders', order.id)}>
                  Order #{order.id}
                </a>
                <span class="hint">{dateTime(order.createdAt)}</span>
                <StatusBadge status={order.status} />
                <span class="order-total">
                  {money(order.totalCents, order.currency)}
                  <span class="hint">
                    {' · '}
                    {itemCount(order) === 1 ? '1 item' : `${itemCount(order)} items`}
                  </span>
                </span>
              </li>
            ))}
          </ul>
          <Pager
            skip={skip}
            limit={PAGE_SIZE}
            total={orders.data.total}
            go={(next) => navigateWithQuery('/orders', { skip: next || null })}
            label="Order pages"
          />
        </>
      )}
    </section>
  )
}

import type { ComponentChildren } from 'preact'
import { useEffect, useErrorBoundary, useState } from 'preact/hooks'
import { href, useRoute } from '../lib/router'
import { useCart } from './cart'
import { CartPage } from './pages/cart'
import { CheckoutPage } from './pages/checkout'
import { LoginForm, LoginPage, RegisterPage } from './pages/account'
import { NotificationsPage } from './pages/notifications'
import { OrderPage } from './pages/order'
import { OrdersPage } from './pages/orders'
import { ProductPage } from './pages/product'
import { ProductsPage } from './pages/products'
import { ProfilePage } from './pages/profile'
import { SessionsPage } from './pages/sessions'
import { auth, leave, useUser } from './state'
import { useUnreadCount } from './notifications'
import { Count, Loading } from './ui'

/** A page for logged-in users: the login form in its place until then (and again if the session ends). */
const RequireLogin = ({ children, what }: { children: ComponentChildren; what: string }) => {
  const user = useUser()
  return user ? <>{children}</> : <LoginForm title={`Log in to see ${what}`} />
}

const NotFound = () => (
  <section>
    <h1>Page not found</h1>
    <p>
      <a href={href()}>Back to the products</a>
    </p>
  </section>
)

const Page = ({ route }: { route: string[] }) => {
  const [first, second, third] = route
  if (third !== undefined) return <NotFound />
  switch (first) {
    case undefined:
      return <ProductsPage />
    case 'products':
      return second ? <ProductPage id={second} key={second} /> : <ProductsPage />
    case 'cart':
      return second ? <NotFound /> : <CartPage />
    case 'checkout':
      return (
        <RequireLogin what="the checkout">
          <CheckoutPage />
        </RequireLogin>
      )
    case 'orders':
      return (
        <RequireLogin what="your orders">
          {second ? <OrderPage id={second} key={second} /> : <OrdersPage />}
        </RequireLogin>
      )
    case 'login':
      return <LoginPage />
    case 'register':
      return <RegisterPage />
    case 'profile':
      return (
        <RequireLogin what="your profile">
          <ProfilePage />
        </RequireLogin>
      )
    case 'sessions':
      return (
        <RequireLogin what="your sessions">
          <SessionsPage />
        </RequireLogin>
      )
    case 'notifications':
      return second ? (
        <NotFound />
      ) : (
        <RequireLogin what="your notifications">
          <NotificationsPage />
        </RequireLogin>
      )
    default:
      return <NotFound />
  }
}

/** A rendering error shows a message instead of a blank page; the header and other routes keep working. */
const Guard = ({ children, route }: { children: ComponentChildren; route: string }) => {
  const [error, reset] = useErrorBoundary()
  useEffect(() => {
    if (error) reset()
    // A new route gets a fresh try.
  }, [route])
  if (error)
    return (
      <div class="banner error" role="alert">
        <p>Something went wrong on this page.</p>
        <button type="button" class="secondary" onClick={reset}>
          Try again
        </button>
      </div>
    )
  return <>{children}</>
}

const Header = ({ route }: { route: string[] }) => {
  const user = useUser()
  const cart = useCart()
  const count = cart.reduce((sum, line) => sum + line.quantity, 0)
  const unread = useUnreadCount()
  const [busy, setBusy] = useState(false)
  const current = (name: string | undefined) => (route[0] === name ? 'page' : undefined)
  return (
    <header class="top">
      <a class="brand" href={href()}>
        Shop
      </a>
      <nav aria-label="Main">
        <a href={href()} aria-current={current(undefined) ?? current('products')}>
          Products
        </a>
        <a href={href('cart')} aria-current={current('cart')}>
          Cart <Count count={count} />
        </a>
        {user && (
          <>
            <a href={href('orders')} aria-current={current('orders')}>
              Orders
            </a>
            <a
              href={href('notifications')}
              aria-current={current('notifications')}
              data-testid="notifications-link"
            >
              Notifications <Count count={unread} unit="unread" testId="unread-count" />
            </a>
            <a href={href('profile')} aria-current={current('profile')}>
              Profile
            </a>
            <a href={href('sessions')} aria-current={current('sessions')}>
              Sessions
            </a>
          </>
        )}
      </nav>
      <div class="account">
        {user ? (
          <>
            <span class="who" data-testid="signed-in-as">
              {user.name}
            </span>
            <button
              type="button"
              class="secondary small"
              disabled={busy}
              onClick={() => {
                setBusy(true)
                leave()
                  .catch(() => undefined)
                  .finally(() => setBusy(false))
              }}
            >
              Log out
            </button>
          </>
        ) : (
          <>
            <a href={href('login')} aria-current={current('login')}>
              Log in
            </a>
            <a href={href('register')} aria-current={current('register')}>
              Register
            </a>
          </>
        )}
      </div>
    </header>
  )
}

export const App = () => {
  const route = useRoute()
  const [ready, setReady] = useState(false)
  useUser()

  useEffect(() => {
    // Restore the login before the first call: calls made meanwhile would wait on (or fail with) it.
    auth
      .restore()
      .catch(() => auth.forget())
      .finally(() => setReady(true))
  }, [])

  const key = route.join('/')
  useEffect(() => window.scrollTo(0, 0), [key])

  return (
    <>
      <a
        class="skip"
        href="#main"
        onClick={(event) => (event.preventDefault(), document.getElementById('main')?.focus())}
      >
        Skip to content
      </a>
      <Header route={route} />
      <main id="main" tabIndex={-1}>
        {ready ? (
          <Guard route={key}>
            <Page route={route} />
          </Guard>
        ) : (
          <Loading />
        )}
      </main>
      <footer class="bottom">
        <a href="/docs">API documentation</a>
        <a href="/admin/">Admin panel</a>
      </footer>
    </>
  )
}

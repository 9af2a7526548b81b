import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import { signatureHeader } from '../../src/contexts/payments/signature'
import { closeBrowser, openPage, type UiPage } from '../helpers/browser'
import { api, testServer, unique, userWithRoles, type TestUser } from '../helpers/server'

// The user portal (ui/src/portal) in a real browser against the real server: no mocks. Every test makes its own
// products (unique names and SKUs) and users, and ends with no console errors, page errors or CSP violations.

const PASSWORD = 'correct horse battery'
const XSS = '<img src=x onerror=alert(1)>'

let admin: TestUser

const category = async (name = unique('Category')) => {
  const response = await api('POST', '/categories', {
    token: admin.token,
    body: { name, slug: unique('cat').toLowerCase() }
  })
  assert.equal(response.status, 201, JSON.stringify(response.body))
  return response.body as { id: number; name: string }
}

/** An active product with stock, made by an admin through the API. */
const product = async ({
  name = `Product ${unique()}`,
  priceCents = 1250,
  currency = 'USD',
  stock = 50,
  categoryId,
  description
}: {
  name?: string
  priceCents?: number
  currency?: string
  stock?: number
  categoryId?: number
  description?: string
} = {}) => {
  const created = await api('POST', '/products', {
    token: admin.token,
    body: { sku: unique('P'), name, priceCents, currency, status: 'active', categoryId, description }
  })
  assert.equal(created.status, 201, JSON.stringify(created.body))
  if (stock) {
    const receipt = await api('POST', '/inventory', {
      token: admin.token,
      body: { productId: created.body.id, kind: 'receive', quantity: stock, reason: 'portal test stock' }
    })
    assert.equal(receipt.status, 201, JSON.stringify(receipt.body))
  }
  return created.body as { id: number; name: string; priceCents: number }
}

const orderFor = async (user: TestUser, productId: number, quantity = 1) => {
  const response = await api('POST', '/orders', {
    token: user.token,
    body: {
      items: [{ productId, quantity }],
      shippingAddress: { line1: '1 Test Street', city: 'Seoul', country: 'KR' }
    }
  })
  assert.equal(response.status, 201, JSON.stringify(response.body))
  return response.body as { id: number; totalCents: number }
}

const text = async (page: Page, selector: string) => ((await page.textContent(selector)) ?? '').trim()

/** Waits until the element's StatusBadge shows `status`. */
const statusIs = (page: Page, testId: string, status: string) =>
  page.waitForSelector(`[data-testid="${testId}"] [data-status="${status}"]`, { timeout: 15_000 })

const login = async ({ page, url }: UiPage, email: string, password = PASSWORD, route = '#/login') => {
  await page.goto(url(`/${route}`))
  await page.fill('#login-email', email)
  await page.fill('#login-password', password)
  await page.click('form button[type="submit"]')
  await page.waitForSelector('[data-testid="signed-in-as"]')
}

/** The session id of the page's login, from its stored access token. */
const sessionOf = (page: Page) =>
  page.evaluate(() => {
    const token = localStorage.getItem('internal-api-access-token') ?? ''
    return JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).sid as number
  })

/** No horizontal scrolling: nothing is wider than the viewport. */
const fitsWidth = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)

const webhook = async (paymentId: number, type = 'payment.captured') => {
  const { app } = await testServer()
  const secret = app.get('payments').webhookSecret as string
  // A capture says what it took: the payment's own amount and currency.
  const { amountCents, currency } = await app.get('knex')('payments').where({ id: paymentId }).first()
  const body = JSON.stringify({ id: `evt_${unique()}`, type, paymentId, amountCents, currency })
  const response = await api('POST', '/payments/webhook', {
    body,
    headers: { 'content-type': 'application/json', 'x-signature': signatureHeader(secret, body) }
  })
  assert.equal(response.status, 200, JSON.stringify(response.body))
}

describe('User portal (ui/src/portal, in Chromium)', function () {
  this.timeout(120_000)

  before(async () => {
    admin = await userWithRoles(['admin'])
  })
  after(closeBrowser)

  it('registers, logs in, finds a product by search and category, orders it, pays it and sees it paid', async () => {
    const shelf = await category(`Shelf ${unique()}`)
    const token = unique('Teapot').replace('-', '')
    const teapot = await product({
      name: `Blue ${token} with lid`,
      priceCents: 1250,
      categoryId: shelf.id,
      description: 'Porcelain, 1 litre.'
    })
    await product({ name: `Plain ${unique()}`, categoryId: shelf.id, stock: 0 })
    const ui = await openPage()
    const { page, url, problems, screenshot } = ui
    const email = `${unique('ann')}@example.com`

    // Register: the account is created and logged in.
    await page.goto(url('/#/register'))
    await page.fill('#register-email', email)
    await page.fill('#register-name', 'Ann Portal')
    await page.fill('#register-password', PASSWORD)
    await page.click('form button[type="submit"]')
    await page.waitForSelector('[data-testid="signed-in-as"]')
    assert.equal(await text(page, '[data-testid="signed-in-as"]'), 'Ann Portal')

    // Log out, then log in again; the login survives a reload.
    await page.click('header button:has-text("Log out")')
    await page.waitForSelector('header a:has-text("Log in")')
    await page.goto(url('/#/login'))
    await page.waitForSelector('#login-email')
    assert.equal(await page.locator('main .banner.notice').count(), 0)
    await screenshot('portal-login')
    await login(ui, email)
    await page.reload()
    await page.waitForSelector('[data-testid="signed-in-as"]')

    // Search by name (case-insensitively, part of the name).
    await page.goto(url('/#/'))
    await page.fill('#search', token.toLowerCase())
    await page.click('form[role="search"] button[type="submit"]')
    // (The unfiltered list shown meanwhile may hold the teapot too: wait for the search's answer.)
    await page.waitForSelector(`p[role="status"]:has-text("1 product matching")`)
    assert.equal(await page.locator('.product-grid > li').count(), 1)
    assert.equal(await text(page, `[data-product-id="${teapot.id}"] h2`), teapot.name)
    assert.match(await text(page, `[data-product-id="${teapot.id}"] .price`), /\$12\.50/)
    await screenshot('portal-products-search')

    // By category: the category holds the teapot and a product that is out of stock.
    await page.click('form[role="search"] button:has-text("Clear")')
    await page.selectOption('#category', String(shelf.id))
    await page.waitForSelector(`h1:has-text("Products in ${shelf.name}")`)
    await page.waitForFunction(
      () =>
        document.querySelector('p[role="status"]')?.textContent === '2 products' &&
        document.querySelectorAll('.product-grid > li').length === 2
    )
    assert.ok(await page.isDisabled(`.product-grid > li:not([data-product-id="${teapot.id}"]) button`))
    await screenshot('portal-products')

    // The product page; two into the cart.
    await page.click(`[data-product-id="${teapot.id}"] h2 a`)
    await page.waitForSelector('#product-title')
    assert.equal(await text(page, '#product-title'), teapot.name)
    assert.match(await text(page, '.price.big'), /\$12\.50/)
    assert.match(await text(page, '.description'), /Porcelain/)
    await page.fill('#quantity', '2')
    await page.click('.add-form button[type="submit"]')
    await page.waitForSelector('.banner.notice')
    await screenshot('portal-product')

    // The cart shows the line and its total; the header counts it.
    await page.click('header a[href="#/cart"]')
    await page.waitForSelector(`.cart-line[data-product-id="${teapot.id}"]`)
    assert.equal(await page.inputValue(`#quantity-${teapot.id}`), '2')
    assert.match(await text(page, '.total'), /\$25\.00/)
    assert.match(await text(page, 'header .count'), /^2/)
    await screenshot('portal-cart')

    // Checkout: the server's field error for the country first, then the order.
    await page.click('a:has-text("Checkout")')
    await page.waitForSelector('#checkout-title')
    await page.fill('#address-name', 'Ann Portal')
    await page.fill('#address-line1', '1 Main Street')
    await page.fill('#address-city', 'Seoul')
    await page.fill('#address-country', 'K')
    await page.click('form.checkout button[type="submit"]')
    await page.waitForSelector('#address-country-error')
    assert.match(await text(page, '#address-country-error'), /format|pattern/)
    await page.fill('#address-country', 'kr')
    await page.fill('#note', 'Please ring twice')
    await screenshot('portal-checkout')
    await page.click('form.checkout button[type="submit"]')
    await page.waitForURL(/#\/orders\/\d+$/)
    const orderId = Number(/orders\/(\d+)$/.exec(page.url())![1])
    await statusIs(page, 'order-status', 'pending')
    assert.match(await text(page, '[data-testid="payment-status"]'), /Not paid yet/)
    assert.match(await text(page, '.items'), new RegExp(token))
    assert.match(await text(page, '.order-total-line'), /\$25\.00/)
    assert.match(await text(page, 'address'), /1 Main Street/)
    // The cart was emptied by the order.
    assert.equal(await page.locator('header .count').count(), 0)

    // Pay with sim_succeed: the page shows the captured payment and the order becomes paid.
    await page.check('input[name="paymentMethod"][value="sim_succeed"]')
    await page.click('.pay-form button[type="submit"]')
    await statusIs(page, 'order-status', 'paid')
    await statusIs(page, 'payment-status', 'captured')
    assert.match(await text(page, '[data-testid="order-status"]'), /paid/)
    await page.waitForSelector('.history [data-status="paid"]')
    assert.equal(await page.locator('.pay-form').count(), 0)
    await screenshot('portal-order-paid')

    // Order history: newest first, with the paid order.
    await page.click('header a[href="#/orders"]')
    await page.waitForSelector(`[data-order-id="${orderId}"]`)
    assert.equal(await page.getAttribute('.order-list > li:first-child', 'data-order-id'), String(orderId))
    assert.equal(await page.getAttribute(`[data-order-id="${orderId}"] [data-status]`, 'data-status'), 'paid')
    assert.match(await text(page, `[data-order-id="${orderId}"]`), /\$25\.00/)
    await screenshot('portal-orders')

    // What the server has agrees.
    const stored = await api('GET', `/orders/${orderId}`, { token: admin.token })
    assert.equal(stored.body.status, 'paid')
    assert.equal(stored.body.totalCents, 2500)
    assert.equal(stored.body.shippingAddress.country, 'KR')
    assert.equal(stored.body.note, 'Please ring twice')

    // The emptied cart says so on the cart and checkout pages, and leads back to the products.
    for (const [route, title] of [
      ['cart', 'Your cart'],
      ['checkout', 'Checkout']
    ]) {
      await page.goto(url(`/#/${route}`))
      await page.waitForSelector(`h1:text-is("${title}")`)
      assert.match(await text(page, 'main'), /Your cart is empty\./)
      assert.equal(await page.locator('main a:text-is("Browse the products")').count(), 1)
    }
    assert.deepEqual(problems, [])
    await ui.context.close()
  })

  it('updates the order page live: shipped by an admin, a pending sim_async payment captured by the webhook, a cancel', async () => {
    const customer = await userWithRoles(['customer'])
    const mug = await product({ name: `Mug ${unique()}`, priceCents: 800 })
    const ui = await openPage()
    const { page, url, problems } = ui
    await login(ui, customer.email)

    // Paid in the page, then shipped by an admin through REST: the open page follows without a reload.
    const first = await orderFor(customer, mug.id, 3)
    await page.goto(url(`/#/orders/${first.id}`))
    await statusIs(page, 'order-status', 'pending')
    await page.check('input[name="paymentMethod"][value="sim_succeed"]')
    await page.click('.pay-form button[type="submit"]')
    await statusIs(page, 'order-status', 'paid')
    await page.evaluate(() => ((window as any).__notReloaded = true))
    const shipped = await api('PATCH', `/orders/${first.id}`, {
      token: admin.token,
      body: { status: 'shipped' }
    })
    assert.equal(shipped.status, 200, JSON.stringify(shipped.body))
    await statusIs(page, 'order-status', 'shipped')
    await page.waitForSelector('.history [data-status="shipped"]')
    assert.equal(await page.evaluate(() => (window as any).__notReloaded), true)

    // sim_fail shows the reason and lets the customer pay again; sim_async stays pending until the webhook.
    const second = await orderFor(customer, mug.id)
    await page.goto(url(`/#/orders/${second.id}`))
    await statusIs(page, 'order-status', 'pending')
    await page.check('input[name="paymentMethod"][value="sim_fail"]')
    await page.click('.pay-form button[type="submit"]')
    await statusIs(page, 'payment-status', 'failed')
    assert.match(await text(page, '[data-testid="payment-status"]'), /card declined/)
    await page.waitForSelector('.banner.error:has-text("failed")')
    await page.check('input[name="paymentMethod"][value="sim_async"]')
    await page.click('.pay-form button[type="submit"]')
    await statusIs(page, 'payment-status', 'pending')
    await statusIs(page, 'order-status', 'pending')
    assert.equal(await page.locator('.pay-form').count(), 0)
    assert.equal(await page.locator('[data-payment-id]').count(), 2)
    const pending = await api('GET', `/payments?orderId=${second.id}&status=pending`, {
      token: customer.token
    })
    assert.equal(pending.body.total, 1)
    await webhook(pending.body.data[0].id)
    await statusIs(page, 'payment-status', 'captured')
    await statusIs(page, 'order-status', 'paid')

    // The owner cancels a pending order (after confirming).
    const third = await orderFor(customer, mug.id)
    await page.goto(url(`/#/orders/${third.id}`))
    await statusIs(page, 'order-status', 'pending')
    await page.click('button:has-text("Cancel order")')
    await page.click('button:has-text("Yes, cancel the order")')
    await statusIs(page, 'order-status', 'cancelled')
    assert.equal(await page.locator('.pay-form').count(), 0)
    assert.equal(
      (await api('GET', `/orders/${third.id}`, { token: customer.token })).body.status,
      'cancelled'
    )

    // The order list follows too: a new order appears on top without a reload.
    await page.goto(url('/#/orders'))
    await page.waitForSelector(`[data-order-id="${third.id}"]`)
    const fourth = await orderFor(customer, mug.id)
    await page.waitForSelector(`.order-list > li:first-child[data-order-id="${fourth.id}"]`)
    assert.deepEqual(problems, [])
    await ui.context.close()
  })

  it('shows a product named like markup as text, never as markup (anonymous browsing too)', async () => {
    const customer = await userWithRoles(['customer'])
    const evil = await product({
      name: XSS,
      description: '<script>alert(2)</script><b>bold?</b>',
      priceCents: 999
    })
    // A draft with a matching name: staff only, never in the shop.
    const draft = await api('POST', '/products', {
      token: admin.token,
      body: { sku: unique('D'), name: `${XSS} draft`, priceCents: 1, currency: 'USD', status: 'draft' }
    })
    assert.equal(draft.status, 201)
    const ui = await openPage()
    const { page, url, problems, screenshot } = ui

    // Anonymous: the list and the product page.
    await page.goto(url('/#/?q=onerror'))
    await page.waitForSelector(`[data-product-id="${evil.id}"]`)
    assert.equal(await text(page, `[data-product-id="${evil.id}"] h2`), XSS)
    assert.equal(await page.locator(`[data-product-id="${draft.body.id}"]`).count(), 0)
    // The search box shows the query as typed.
    assert.equal(await page.inputValue('#search'), 'onerror')
    assert.equal(await page.locator('header a:has-text("Log in")').count(), 1)

    await page.goto(url(`/#/products/${evil.id}`))
    await page.waitForSelector('#product-title')
    assert.equal(await text(page, '#product-title'), XSS)
    assert.equal(await text(page, '.description'), '<script>alert(2)</script><b>bold?</b>')
    // Into the cart while anonymous; the cart stays after logging in.
    await page.click('.add-form button[type="submit"]')
    await page.waitForSelector('.banner.notice')
    await login(ui, customer.email)
    await page.goto(url('/#/cart'))
    await page.waitForSelector(`.cart-line[data-product-id="${evil.id}"]`)
    assert.equal(await text(page, `.cart-line[data-product-id="${evil.id}"] a`), XSS)
    await screenshot('portal-xss')

    // Ordered: the order lines (the server's snapshot of the name) are text too.
    const order = await orderFor(customer, evil.id)
    await page.goto(url(`/#/orders/${order.id}`))
    await page.waitForSelector('.items .line-name a')
    assert.equal(await text(page, '.items .line-name a'), XSS)

    const markup = await page.evaluate(() => ({
      images: document.querySelectorAll('img').length,
      scripts: [...document.querySelectorAll('script')].filter((script) => !script.src).length,
      bold: document.querySelectorAll('main b').length
    }))
    assert.deepEqual(markup, { images: 0, scripts: 0, bold: 0 })
    assert.deepEqual(problems, [])
    await ui.context.close()
  })

  it('shows field errors next to the fields: the browser checks first, the server has the last word', async () => {
    const ui = await openPage()
    const { page, url, problems, screenshot } = ui
    await page.goto(url('/#/register'))

    // Checked in the browser with the server's JSON schema for users.
    await page.fill('#register-email', 'not-an-email')
    await page.fill('#register-name', 'Bob')
    await page.fill('#register-password', 'short')
    await page.click('form button[type="submit"]')
    await page.waitForSelector('#register-password-error')
    assert.match(await text(page, '#register-password-error'), /at least 8 characters/)
    assert.match(await text(page, '#register-email-error'), /not valid/)
    assert.equal(await page.getAttribute('#register-password', 'aria-invalid'), 'true')
    assert.match(
      (await page.getAttribute('#register-password', 'aria-describedby')) ?? '',
      /register-password-error/
    )
    assert.equal(await page.locator('#register-name-error').count(), 0)

    // A taken email: the server's 409 message, on the email field.
    const duplicate = await api('POST', '/users', {
      body: { email: admin.email, password: 'another long password', name: 'Copy' }
    })
    assert.equal(duplicate.status, 409)
    await page.fill('#register-email', admin.email.toUpperCase())
    await page.fill('#register-password', 'another long password')
    await page.click('form button[type="submit"]')
    await page.waitForFunction(
      (message) => document.querySelector('#register-email-error')?.textContent === message,
      duplicate.body.message
    )
    assert.equal(await page.locator('#register-password-error').count(), 0)
    await screenshot('portal-register-errors')

    // A wrong password on the login form.
    await page.goto(url('/#/login'))
    // With the keyboard only: type, Tab to the password, Enter submits.
    await page.focus('#login-email')
    await page.keyboard.type(`${unique('nobody')}@example.com`)
    await page.keyboard.press('Tab')
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'login-password')
    await page.keyboard.type('wrong password')
    await page.keyboard.press('Enter')
    await page.waitForSelector('.banner.error:has-text("Invalid login")')
    assert.deepEqual(problems, [])
    await ui.context.close()
  })

  it('lists the own sessions; revoking another one logs that browser out, revoking this one logs out here', async () => {
    const customer = await userWithRoles(['customer'])
    const here = await openPage()
    const there = await openPage()
    await login(here, customer.email)
    await login(there, customer.email, PASSWORD, '#/orders')
    await there.page.waitForSelector('#orders-title')
    const [mine, theirs] = [await sessionOf(here.page), await sessionOf(there.page)]
    assert.notEqual(mine, theirs)

    await here.page.goto(here.url('/#/sessions'))
    await here.page.waitForSelector(`[data-session-id="${theirs}"]`)
    assert.match(await text(here.page, `[data-session-id="${mine}"]`), /This device/)
    assert.doesNotMatch(await text(here.page, `[data-session-id="${theirs}"]`), /This device/)
    assert.match(await text(here.page, `[data-session-id="${theirs}"]`), /Chrome on Linux/)
    await here.screenshot('portal-sessions')

    // Revoke the other browser's session: it shows the login at once, with the reason.
    await here.page.click(`[data-session-id="${theirs}"] button:has-text("Revoke")`)
    await there.page.waitForSelector('#login-email', { timeout: 15_000 })
    assert.match(await text(there.page, '#login-title'), /Log in/)
    assert.match(await text(there.page, 'main .banner.notice'), /You were logged out: session ended/)
    assert.equal(await there.page.locator('[data-testid="signed-in-as"]').count(), 0)
    await here.page.waitForSelector(`.sessions.ended [data-session-id="${theirs}"]`)
    assert.equal((await api('GET', '/users/me', { token: customer.token })).status, 200)
    // Its stored tokens are gone: a reload stays logged out.
    await there.page.reload()
    await there.page.waitForSelector('#login-email')
    await there.screenshot('portal-logged-out')

    // Revoking this device's own session logs this page out.
    await here.page.click(`[data-session-id="${mine}"] button:has-text("Log out this device")`)
    await here.page.waitForSelector('#login-email')
    assert.equal(await here.page.locator('[data-testid="signed-in-as"]').count(), 0)
    assert.equal(await here.page.locator('main .banner.notice').count(), 0)
    assert.deepEqual(here.problems, [])
    assert.deepEqual(there.problems, [])
    await here.context.close()
    await there.context.close()
  })

  it('edits the profile and changes the password with the current one', async () => {
    const customer = await userWithRoles(['customer'])
    const ui = await openPage()
    const { page, problems, screenshot } = ui
    await login(ui, customer.email, PASSWORD, '#/profile')
    await page.waitForSelector('#profile-name')

    await page.fill('#profile-name', 'Dana Profile')
    await page.fill('#profile-phone', 'call me')
    await page.click('button:has-text("Save details")')
    await page.waitForSelector('#profile-phone-error')
    await page.fill('#profile-phone', '+82 10 1234 5678')
    await page.fill('#profile-locale', 'ko-KR')
    await page.click('button:has-text("Save details")')
    await page.waitForSelector('.banner.notice:has-text("saved")')
    assert.equal(await text(page, '[data-testid="signed-in-as"]'), 'Dana Profile')
    const me = await api('GET', '/users/me', { token: customer.token })
    assert.deepEqual(
      [me.body.name, me.body.phone, me.body.locale],
      ['Dana Profile', '+82 10 1234 5678', 'ko-KR']
    )

    // The server checks the current password.
    await page.fill('#password-current', 'not my password')
    await page.fill('#password-new', 'a brand new password')
    await page.fill('#password-confirm', 'a brand new password')
    await page.click('button:has-text("Change password")')
    await page.waitForSelector('#password-current-error')
    assert.match(await text(page, '#password-current-error'), /not correct/)
    await page.fill('#password-current', PASSWORD)
    await page.click('button:has-text("Change password")')
    await page.waitForSelector('.banner.notice:has-text("password was changed")')
    await screenshot('portal-profile')
    // This page stays logged in; the other session (the REST login) ended, and the new password works.
    await page.reload()
    await page.waitForSelector('[data-testid="signed-in-as"]')
    assert.equal((await api('GET', '/users/me', { token: customer.token })).status, 401)
    const relogin = await api('POST', '/authentication', {
      body: { strategy: 'local', email: customer.email, password: 'a brand new password' }
    })
    assert.equal(relogin.status, 201)
    assert.deepEqual(problems, [])
    await ui.context.close()
  })

  it('fits a phone screen (390 px): products, product, cart, checkout, order, orders, profile, sessions', async () => {
    const customer = await userWithRoles(['customer'])
    const long = await product({
      name: `A rather long product name with Supercalifragilisticexpialidocious-Extraordinarily ${unique()}`,
      priceCents: 129_900,
      description: 'Long description. '.repeat(20)
    })
    const order = await orderFor(customer, long.id, 2)
    await api('POST', '/payments', {
      token: customer.token,
      body: { orderId: order.id, paymentMethod: 'sim_succeed' }
    })
    const ui = await openPage({ phone: true })
    const { page, url, problems, screenshot } = ui

    await page.goto(url('/#/login'))
    await page.waitForSelector('#login-email')
    assert.ok(await fitsWidth(page), 'login fits')
    await screenshot('portal-phone-login')
    await login(ui, customer.email)

    const screens: [string, string, string][] = [
      ['products', `/#/?q=${encodeURIComponent(long.name.slice(0, 20))}`, `[data-product-id="${long.id}"]`],
      ['product', `/#/products/${long.id}`, '#product-title'],
      ['order', `/#/orders/${order.id}`, '[data-testid="order-status"] [data-status="paid"]'],
      ['orders', '/#/orders', `[data-order-id="${order.id}"]`],
      ['profile', '/#/profile', '#profile-name'],
      ['sessions', '/#/sessions', '[data-session-id]']
    ]
    for (const [name, route, ready] of screens) {
      await page.goto(url(route))
      await page.waitForSelector(ready)
      assert.ok(await fitsWidth(page), `${name} fits the phone's width`)
      await screenshot(`portal-phone-${name}`)
    }

    await page.goto(url(`/#/products/${long.id}`))
    await page.waitForSelector('.add-form')
    await page.click('.add-form button[type="submit"]')
    await page.goto(url('/#/cart'))
    await page.waitForSelector(`.cart-line[data-product-id="${long.id}"]`)
    assert.ok(await fitsWidth(page), 'cart fits')
    await screenshot('portal-phone-cart')
    await page.goto(url('/#/checkout'))
    await page.waitForSelector('#address-line1')
    // Prefilled from the last order.
    await page.waitForFunction(
      () => (document.querySelector('#address-line1') as HTMLInputElement).value === '1 Test Street'
    )
    assert.ok(await fitsWidth(page), 'checkout fits')
    await screenshot('portal-phone-checkout')
    assert.deepEqual(problems, [])
    await ui.context.close()
  })
})

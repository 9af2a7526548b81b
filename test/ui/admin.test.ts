import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import { closeBrowser, openPage, type UiPage } from '../helpers/browser'
import { capturedPayment, pendingOrder, stockedProduct } from '../helpers/commerce'
import { api, unique, userWithRoles, type TestUser } from '../helpers/server'
import { humanize } from '../../ui/src/admin/model'

// The admin panel (ui/src/admin) in a real browser against the real server: no mocks. Other test files share the
// server, so every row here has a unique name, SKU or email and lists are filtered down to them.

const openPanel = async (ui: UiPage, hash: string) => {
  const response = await ui.page.goto(ui.url(`/admin/${hash}`))
  // A change of the hash alone is no request (null); a page load must be a 200.
  if (response) assert.equal(response.status(), 200)
}

const signIn = async (ui: UiPage, user: TestUser, hash = '#/') => {
  await openPanel(ui, hash)
  await ui.page.fill('#login-email', user.email)
  await ui.page.fill('#login-password', user.password)
  await ui.page.click('form button[type=submit]')
}

const signedIn = async (ui: UiPage, user: TestUser, hash = '#/') => {
  await signIn(ui, user, hash)
  await ui.page.waitForSelector('header.admin-top')
}

/** The text of a list's row for a record. */
const row = (page: Page, resource: string, id: number) =>
  page.locator(`table.records[data-resource="${resource}"] tr[data-id="${id}"]`)

/**
 * The menu a user with `roles` should see, from the server's own /declarations.json: every resource whose
 * `find` is open to the public, to any login, or to one of the roles, in declaration order. Derived, so that
 * adding a resource (docs/declarations.md) never breaks this test.
 */
const expectedMenu = async (roles: string[]) => {
  const { body } = await api('GET', '/declarations.json')
  return (body.resources as Array<{ name: string; access: { find: Record<string, unknown> } }>)
    .filter(({ access }) =>
      Object.keys(access.find).some(
        (who) => who === 'public' || who === 'authenticated' || roles.includes(who)
      )
    )
    .map(({ name }) => humanize(name))
}

const noProblems = (ui: UiPage) => assert.deepEqual(ui.problems, [], ui.problems.join('\n'))

describe('admin panel (ui/src/admin)', function () {
  this.timeout(120_000)
  let admin: TestUser

  before(async () => {
    admin = await userWithRoles(['admin'])
  })
  after(closeBrowser)

  it('lets an admin sign in, list, filter, create (client and server errors first) and edit products', async () => {
    const ui = await openPage()
    const { page } = ui
    const token = unique('lamp')
    const existing = await api('POST', '/products', {
      token: admin.token,
      body: { sku: unique('SKU'), name: `Desk ${token}`, priceCents: 1200, currency: 'USD' }
    })
    assert.equal(existing.status, 201)

    await openPanel(ui, '#/login')
    await page.waitForSelector('#login-email')
    await ui.screenshot('admin-login')
    await signedIn(ui, admin)
    const nav = await page.locator('header.admin-top nav a').allTextContents()
    for (const name of [
      'Products',
      'Orders',
      'Payments',
      'Refunds',
      'Users',
      'API keys',
      'Audit log',
      'Inventory'
    ])
      assert.ok(nav.includes(name), `${name} in ${nav.join(', ')}`)
    assert.deepEqual(nav, await expectedMenu(['admin']))

    await page.click('header.admin-top nav a:text-is("Products")')
    await page.waitForSelector('table.records[data-resource="products"]')
    assert.equal(await page.locator('h1 .live').count(), 1, 'products are realtime')
    await page.fill('#filter-products-name', token)
    await page.click('form.filters button[type=submit]')
    await page.waitForFunction(
      () => document.querySelectorAll('table.records[data-resource="products"] tbody tr').length === 1
    )
    await row(page, 'products', existing.body.id).waitFor()
    assert.match((await page.locator('.list-status').textContent()) ?? '', /1–1 of 1/)
    await ui.screenshot('admin-products-list')
    // sku is not a search field (no `$ilike` among its operators in /declarations.json): it matches exactly.
    assert.equal(await page.getAttribute('#filter-products-name', 'placeholder'), 'contains')
    await page.click('form.filters button:text-is("Clear")')
    await page.fill('#filter-products-sku', existing.body.sku)
    await page.click('form.filters button[type=submit]')
    await page.waitForFunction(() =>
      /1–1 of 1$/.test(document.querySelector('.list-status')?.textContent ?? '')
    )
    await row(page, 'products', existing.body.id).waitFor()
    assert.equal(await page.getAttribute('#filter-products-sku', 'placeholder'), 'exactly')

    // Create: a bad SKU is caught in the browser (the validator's words, not the server's), nothing is sent.
    await page.click('a.button:has-text("New record")')
    await page.waitForSelector('#f-products-sku')
    const name = `Lamp ${token}`
    await page.fill('#f-products-sku', 'bad sku!')
    await page.fill('#f-products-name', name)
    await page.fill('#f-products-priceCents', '1999')
    await page.selectOption('#f-products-currency', 'USD')
    await page.click('form.record-form button[type=submit]')
    const skuError = page.locator('#f-products-sku-error')
    await skuError.waitFor()
    assert.equal(await skuError.textContent(), 'does not have the required format')
    assert.equal(await page.locator('#f-products-sku').getAttribute('aria-invalid'), 'true')
    await ui.screenshot('admin-product-form-errors')
    const sent = await api('GET', `/products?name=${encodeURIComponent(name)}`, { token: admin.token })
    assert.equal(sent.body.total, 0, 'the invalid product was not sent')

    // A duplicate SKU passes the schema; the server's 409 is shown on the sku field.
    await page.fill('#f-products-sku', existing.body.sku)
    await page.click('form.record-form button[type=submit]')
    await page.waitForFunction(() =>
      /already exists/.test(document.querySelector('#f-products-sku-error')?.textContent ?? '')
    )
    await ui.screenshot('admin-product-form-server-error')

    const sku = unique('LAMP')
    await page.fill('#f-products-sku', sku)
    await page.click('form.record-form button[type=submit]')
    await page.waitForSelector('#detail-title')
    await page.waitForSelector('.banner.notice:has-text("Created products")')
    const created = (await api('GET', `/products?sku=${sku}`, { token: admin.token })).body.data[0]
    assert.equal(created.name, name)
    assert.equal(created.priceCents, 1999)
    assert.equal(created.status, 'draft')
    assert.match((await page.locator('#detail-title').textContent()) ?? '', new RegExp(`#${created.id}`))

    // Edit: the patch form starts with the record's values and sends only what changed.
    await page.click('a.button:text-is("Edit")')
    await page.waitForSelector('#f-products-priceCents')
    assert.equal(await page.inputValue('#f-products-name'), name)
    await page.fill('#f-products-priceCents', '2500')
    await page.selectOption('#f-products-status', 'active')
    await page.click('form.record-form button[type=submit]')
    await page.waitForSelector('.banner.notice:has-text("Saved products")')
    const edited = (await api('GET', `/products/${created.id}`, { token: admin.token })).body
    assert.equal(edited.priceCents, 2500)
    assert.equal(edited.status, 'active')
    assert.match((await page.locator('[data-field="priceCents"] dd').textContent()) ?? '', /25\.00/)
    noProblems(ui)
    await ui.context.close()
  })

  it('shows new orders live at the top and updates their status when paid', async () => {
    const customer = await userWithRoles(['customer'])
    const ui = await openPage()
    const { page } = ui
    await signedIn(ui, admin, '#/r/orders')
    await page.waitForSelector('h1 .live')
    await page.fill('#filter-orders-userId', String(customer.id))
    await page.click('form.filters button[type=submit]')
    await page.waitForSelector('p.empty:has-text("No orders match")')

    const first = await pendingOrder(customer)
    await row(page, 'orders', first.id).waitFor()
    assert.equal(
      await row(page, 'orders', first.id).locator('[data-status]').getAttribute('data-status'),
      'pending'
    )
    const second = await pendingOrder(customer, 7000)
    await row(page, 'orders', second.id).waitFor()
    const ids = await page
      .locator('table.records[data-resource="orders"] tbody tr')
      .evaluateAll((rows) => rows.map((element) => Number(element.getAttribute('data-id'))))
    assert.deepEqual(ids, [second.id, first.id], 'newest first, without a reload')

    const paid = await api('POST', '/payments', {
      token: customer.token,
      body: { orderId: first.id, paymentMethod: 'sim_succeed' }
    })
    assert.equal(paid.status, 201)
    await row(page, 'orders', first.id).locator('[data-status="paid"]').waitFor()
    assert.equal(
      await row(page, 'orders', second.id).locator('[data-status]').getAttribute('data-status'),
      'pending'
    )
    await ui.screenshot('admin-orders-live')
    noProblems(ui)
    await ui.context.close()
  })

  it('offers exactly the declared transitions an admin may request, and ships an order', async () => {
    const customer = await userWithRoles(['customer'])
    const { order, payment } = await capturedPayment(customer)
    const ui = await openPage()
    const { page } = ui
    // The page's socket goes through this relay, which can hold back the server's order events to make the page
    // stale (another admin acting meanwhile, events not yet arrived).
    let holdOrderEvents = false
    await page.routeWebSocket(/\/socket\.io\//, (socket) => {
      const server = socket.connectToServer()
      socket.onMessage((message) => server.send(message))
      server.onMessage((message) => {
        if (holdOrderEvents && String(message).startsWith('42["orders patched"')) return
        socket.send(message)
      })
    })
    await signedIn(ui, admin, `#/r/orders/${order.id}`)
    await page.waitForSelector('button[data-transition]')
    const offered = async () =>
      (
        await page
          .locator('button[data-transition]')
          .evaluateAll((buttons) => buttons.map((button) => button.getAttribute('data-transition')))
      ).sort()
    assert.deepEqual(await offered(), ['cancelPaid', 'ship'])
    await page.waitForSelector('section[data-related="order-history"] tbody tr')
    await page.waitForSelector('section[data-related="payments"] tbody tr')
    assert.equal(await page.locator('table[data-resource="order-items"] tbody tr').count(), 1)
    await ui.screenshot('admin-order-detail')

    await page.click('button[data-transition="ship"]')
    await page.waitForSelector('#transitions-title + p [data-status="shipped"]')
    assert.deepEqual(await offered(), ['deliver'])
    assert.equal((await api('GET', `/orders/${order.id}`, { token: admin.token })).body.status, 'shipped')
    await page.waitForSelector(
      'section[data-related="order-history"] td[data-field="transition"]:has-text("ship")'
    )

    // Refused: the payment was refunded in full meanwhile (the order is `refunded`) while this page did not
    // know; the server's 409 is shown, then the order as it is now.
    holdOrderEvents = true
    const refund = await api('POST', '/refunds', {
      token: admin.token,
      body: { paymentId: payment.id, amountCents: 5000, reason: 'lost in transit' }
    })
    assert.equal(refund.status, 201)
    await page.click('button[data-transition="deliver"]')
    await page.waitForSelector(
      "[role=alert]:has-text(\"Cannot change status from 'refunded' to 'delivered'\")"
    )
    await page.waitForSelector('#transitions-title + p [data-status="refunded"]')
    assert.deepEqual(await offered(), [])
    await ui.screenshot('admin-order-refused')
    noProblems(ui)
    await ui.context.close()
  })

  it('refunds part of a payment, adjusts stock with a reason, assigns roles, manages API keys, shows the audit log', async () => {
    const staff = await userWithRoles(['admin'])
    const customer = await userWithRoles(['customer'])
    const { order, payment } = await capturedPayment(customer, 5000)
    const ui = await openPage()
    const { page } = ui
    await signedIn(ui, staff, `#/r/payments/${payment.id}`)

    // Refund: what is left is shown; more than that is refused before sending; a part is refunded.
    const form = page.locator(`form.refund-form[data-payment="${payment.id}"]`)
    await form.locator('.refundable[data-refundable="5000"]').waitFor()
    await form.locator('input[type=number]').fill('6000')
    await form.locator('input[type=text]').fill('one mug arrived broken')
    await form.locator('button[type=submit]').click()
    await form.locator('.field.invalid .error:has-text("must be at most 5000")').waitFor()
    await form.locator('input[type=number]').fill('1500')
    await form.locator('button[type=submit]').click()
    await page.waitForSelector('.banner.notice:has-text("Refunded $15.00")')
    await page.waitForSelector('.refundable[data-refundable="3500"]')
    await page.waitForSelector(
      'section[data-related="refunds"] td[data-field="reason"]:has-text("one mug arrived broken")'
    )
    assert.equal(
      (await api('GET', `/orders/${order.id}`, { token: staff.token })).body.status,
      'partially_refunded'
    )
    await ui.screenshot('admin-payment-refund')

    // Inventory: an adjustment needs a reason; with one, the stock and the ledger follow.
    const product = await stockedProduct(staff, { stock: 10 })
    await page.goto(ui.url(`/admin/#/r/products/${product.id}`))
    await page.waitForSelector('form.inventory-form')
    await page.selectOption('#inventory-kind', 'adjust')
    await page.fill('#inventory-quantity', '-3')
    await page.click('form.inventory-form button[type=submit]')
    await page.waitForSelector('#inventory-reason-error:has-text("is required")')
    await page.fill('#inventory-reason', 'damaged in storage')
    await page.click('form.inventory-form button[type=submit]')
    await page.waitForSelector('.banner.notice:has-text("stock is now 7")')
    await page.waitForSelector(
      'section[data-related="inventory"] tbody tr:first-child td[data-field="reason"]:has-text("damaged in storage")'
    )
    await page.waitForFunction(() => document.querySelector('[data-field="stock"] dd')?.textContent === '7')
    assert.equal((await api('GET', `/products/${product.id}`, { token: staff.token })).body.stock, 7)
    await ui.screenshot('admin-product-inventory')

    // Roles: a checkbox per declared role, saved with PATCH {roles}.
    const target = await userWithRoles(['customer'])
    await page.goto(ui.url(`/admin/#/r/users/${target.id}`))
    await page.waitForSelector('form.roles-form')
    assert.deepEqual(
      await page
        .locator('form.roles-form input[type=checkbox]')
        .evaluateAll((boxes) => boxes.map((box) => (box as HTMLInputElement).value)),
      ['admin', 'support', 'catalog', 'customer']
    )
    await page.check('#role-support')
    await page.click('form.roles-form button[type=submit]')
    await page.waitForSelector('.banner.notice:has-text("Roles saved: support, customer")')
    assert.deepEqual((await api('GET', `/users/${target.id}`, { token: staff.token })).body.roles.sort(), [
      'customer',
      'support'
    ])

    // API key: the secret once, then never again; revoked from its page.
    const keyName = unique('svc')
    await page.goto(ui.url('/admin/#/r/api-keys/new'))
    await page.click('form button[type=submit]:has-text("Create key")')
    await page.waitForSelector('#api-key-name-error:text-is("is required")')
    await page.waitForSelector('.field.invalid .error:has-text("choose a resource")')
    await page.fill('#api-key-name', keyName)
    await page.selectOption('#scope-0-resource', 'products')
    await page.click('form button[type=submit]:has-text("Create key")')
    await page.waitForSelector('#api-key-secret')
    const secret = await page.inputValue('#api-key-secret')
    assert.match(secret, /^iak_/)
    assert.equal(await page.locator('#api-key-secret').getAttribute('readonly'), '')
    await page.waitForSelector('.banner.warning:has-text("shown only this once")')
    await ui.screenshot('admin-api-key-created')
    const used = await api('GET', '/products?$limit=1', { headers: { 'x-api-key': secret } })
    assert.equal(used.status, 200)
    await page.click('a.button:has-text("Done")')
    await page.waitForSelector('[data-field="prefix"]')
    assert.equal(await page.locator('#api-key-secret').count(), 0)
    assert.ok(!(await page.content()).includes(secret), 'the secret is not shown again')
    await page.goBack()
    await page.waitForSelector('#detail-title, #create-title')
    assert.ok(!(await page.content()).includes(secret), 'not even by going back')
    await page.goForward()
    await page.waitForSelector('[data-field="prefix"]')
    await page.click('button.danger:text-is("Revoke")')
    await page.click('button.danger:text-is("Yes, revoke")')
    await page.waitForSelector('.banner.notice:has-text("revoked")')
    await page.waitForSelector('[data-field="revokedAt"] time')
    assert.equal((await api('GET', '/products?$limit=1', { headers: { 'x-api-key': secret } })).status, 401)

    // Audit log: newest first, filtered to this admin's logins.
    await page.click('header.admin-top nav a:text-is("Audit log")')
    await page.waitForSelector('table.records[data-resource="audit-log"]')
    assert.equal(await page.locator('th[aria-sort="descending"]:has-text("Created at")').count(), 1)
    await page.selectOption('#filter-audit-log-action', 'login.success')
    await page.fill('#filter-audit-log-actorId', String(staff.id))
    await page.click('form.filters button[type=submit]')
    // The unfiltered page may still be showing: wait for the filtered one (a timeout fails the test).
    await page.waitForFunction(() => {
      const cells = [...document.querySelectorAll('table.records tbody td[data-field="action"]')]
      return cells.length >= 2 && cells.every((cell) => cell.textContent === 'login.success')
    })
    const actions = await page.locator('table.records tbody td[data-field="action"]').allTextContents()
    assert.ok(actions.length >= 2, 'the REST login and the panel login')
    assert.ok(actions.every((action) => action === 'login.success'))
    assert.match((await page.locator('.list-status').textContent()) ?? '', /of [1-9]/)
    await ui.screenshot('admin-audit-log')
    noProblems(ui)
    await ui.context.close()
  })

  it("shows a webhook subscription's signing secret once, after its creation, and never again", async () => {
    const ui = await openPage()
    const { page } = ui
    await signedIn(ui, admin, '#/r/webhook-subscriptions/new')
    await page.fill('#f-webhook-subscriptions-url', 'https://hooks.example.com/internal-api')
    await page.fill('#f-webhook-subscriptions-events', '["orders.paid"]')
    await page.fill('#f-webhook-subscriptions-description', unique('admin panel hook'))
    // Not active: nothing is queued for it while the test runs.
    await page.uncheck('#f-webhook-subscriptions-active')
    await page.click('form button[type=submit]')
    const secret = page.locator('#once-secret')
    await secret.waitFor()
    const value = await secret.inputValue()
    assert.match(value, /^whsec_[A-Za-z0-9+/]+=*$/)
    await page.getByRole('alert').filter({ hasText: 'shown only this once' }).waitFor()
    await ui.screenshot('admin-webhook-secret')
    const id = Number(
      await page
        .locator('a.button.secondary')
        .getAttribute('href')
        .then((h) => h!.split('/').pop())
    )
    await page.click('a.button.secondary')
    await page.locator('main').getByText('https://hooks.example.com/internal-api').first().waitFor()
    assert.equal(await page.locator(`text=${value}`).count(), 0, 'the record page never shows it')
    const read = await api('GET', `/webhook-subscriptions/${id}`, { token: admin.token })
    assert.equal(read.status, 200)
    assert.equal('secret' in read.body || 'signingSecret' in read.body, false)
    assert.equal((await api('DELETE', `/webhook-subscriptions/${id}`, { token: admin.token })).status, 200)
    noProblems(ui)
  })

  it('gives a customer no access and no data, and the server refuses them too', async () => {
    const customer = await userWithRoles(['customer'])
    const ui = await openPage()
    const { page } = ui
    await signIn(ui, customer, '#/r/users')
    await page.waitForSelector('h1:text-is("No access")')
    assert.equal(await page.locator('[role=alert]:has-text("No access")').count(), 1)
    assert.equal(await page.locator('table').count(), 0)
    assert.ok(!(await page.content()).includes(admin.email), "no other user's email")
    await ui.screenshot('admin-no-access')
    await page.goto(ui.url('/admin/#/r/orders'))
    await page.waitForSelector('h1:text-is("No access")')
    assert.equal(await page.locator('table').count(), 0)

    // Nothing the panel did failed: it asked the server for nothing it may not have.
    noProblems(ui)

    // The server decides, not the UI: with the customer's own token from this page.
    const paths = ['/api-keys', '/audit-log', '/users', '/orders']
    const [apiKeys, auditLog, users, orders] = await page.evaluate(
      async (list) =>
        Promise.all(
          list.map(async (path) => {
            const token = localStorage.getItem('internal-api-access-token')
            const response = await fetch(path, { headers: { authorization: `Bearer ${token}` } })
            return { status: response.status, body: await response.json() }
          })
        ),
      paths
    )
    const answers = { apiKeys, auditLog, users, orders }
    assert.equal(answers.apiKeys.status, 403)
    assert.equal(answers.auditLog.status, 403)
    // users and orders are owner-scoped for customers: only their own rows, never anyone else's.
    assert.equal(answers.users.status, 200)
    assert.deepEqual(
      answers.users.body.data.map((user: any) => user.email),
      [customer.email]
    )
    assert.equal(answers.orders.body.total, 0)
    // The two refused probes above are the only console errors (Chromium logs every 403 response).
    assert.deepEqual(
      ui.problems,
      Array(2).fill('Failed to load resource: the server responded with a status of 403 (Forbidden)')
    )
    await ui.context.close()
  })

  it('lists for other staff only what their roles may list', async () => {
    const catalog = await userWithRoles(['catalog'])
    const ui = await openPage()
    await signedIn(ui, catalog)
    const nav = await ui.page.locator('header.admin-top nav a').allTextContents()
    assert.deepEqual(nav, await expectedMenu(['catalog']))
    for (const name of ['Categories', 'Inventory', 'Products']) assert.ok(nav.includes(name), name)
    for (const name of ['Orders', 'Users', 'Audit log', 'API keys']) assert.ok(!nav.includes(name), name)
    await ui.page.goto(ui.url('/admin/#/r/orders'))
    await ui.page.waitForSelector('h1:text-is("No access")')
    assert.equal(await ui.page.locator('table').count(), 0)
    noProblems(ui)
    await ui.context.close()
  })

  it('shows markup in data as text: no element, no script, no dialog', async () => {
    const marker = unique('xss')
    const name = `<img src=x onerror=alert(1)> ${marker}`
    const product = await api('POST', '/products', {
      token: admin.token,
      body: { sku: unique('XSS'), name, priceCents: 100, currency: 'USD' }
    })
    assert.equal(product.status, 201)
    const ui = await openPage()
    const { page } = ui
    await signedIn(ui, admin, '#/r/products')
    await page.fill('#filter-products-name', marker)
    await page.click('form.filters button[type=submit]')
    const cell = row(page, 'products', product.body.id).locator('td[data-field="name"]')
    await cell.waitFor()
    assert.equal(await cell.textContent(), name)
    assert.equal(await page.locator('img').count(), 0)

    await page.click(`a[href="#/r/products/${product.body.id}"]`)
    await page.waitForSelector('[data-field="name"] dd')
    assert.equal(await page.locator('[data-field="name"] dd').textContent(), name)
    assert.match((await page.locator('#detail-title').textContent()) ?? '', new RegExp(marker))
    assert.equal(await page.locator('img').count(), 0)
    await page.waitForTimeout(300)
    noProblems(ui)
    await ui.context.close()
  })

  it('fits a phone: lists scroll inside their box, forms and navigation wrap', async () => {
    const ui = await openPage({ phone: true })
    const { page } = ui
    await signedIn(ui, admin, '#/r/orders')
    await page.waitForSelector('table.records[data-resource="orders"], p.empty')
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    assert.ok((await overflow()) <= 0, 'no sideways scrolling of the page')
    const box = await page.$eval('.table-scroll', (element) => [element.scrollWidth, element.clientWidth])
    assert.ok(box[0] > box[1], 'the table scrolls inside its box')
    await ui.screenshot('admin-phone-list')
    await page.goto(ui.url('/admin/#/r/products/new'))
    await page.waitForSelector('#f-products-sku')
    await page.click('form.record-form button[type=submit]')
    await page.waitForSelector('#f-products-sku-error')
    assert.ok((await overflow()) <= 0, 'no sideways scrolling of the page')
    await ui.screenshot('admin-phone-form')
    noProblems(ui)
    await ui.context.close()
  })
})

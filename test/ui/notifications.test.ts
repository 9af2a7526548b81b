import assert from 'node:assert/strict'
import { closeBrowser, openPage } from '../helpers/browser'
import { capturedPayment } from '../helpers/commerce'
import { api, userWithRoles } from '../helpers/server'

// The portal's notifications in real Chromium against the real server: the order is paid and shipped through
// the API, its events go through the outbox, the relay and the notifyCustomers consumer, and the notifications
// reach the page over its socket. Nothing is reloaded.
describe('UI: the portal’s notifications arrive live and are marked read', function () {
  this.timeout(120_000)
  after(closeBrowser)

  it('shows the unread count and the list as notifications arrive; marking one read lowers the count', async () => {
    const [customer, admin] = await Promise.all([userWithRoles(['customer']), userWithRoles(['admin'])])
    const ui = await openPage()
    const { page, url } = ui
    await page.goto(url('/#/login'))
    await page.fill('#login-email', customer.email)
    await page.fill('#login-password', customer.password)
    await page.click('form button[type="submit"]')
    await page.waitForSelector('[data-testid="signed-in-as"]')
    await page.click('[data-testid="notifications-link"]')
    await page.waitForSelector('#notifications-title')
    await page.waitForSelector('.empty')
    assert.equal(await page.locator('[data-testid="unread-count"]').count(), 0)
    await page.evaluate(() => ((window as any).__sameDocument = true))

    // Paid through the API: "Payment received" arrives on the open page, and the badge says 1.
    const { order } = await capturedPayment(customer)
    const items = page.locator('ul.notifications li.notification')
    const paid = page.locator('li.notification', { hasText: `Payment received for order #${order.id}` })
    await paid.waitFor({ timeout: 15_000 })
    await page.waitForSelector('[data-testid="unread-count"]:has-text("1")')

    // Shipped by the shop: a second one, newest first, and the badge says 2.
    const shipped = await api('PATCH', `/orders/${order.id}`, {
      token: admin.token,
      body: { status: 'shipped' }
    })
    assert.equal(shipped.status, 200, JSON.stringify(shipped.body))
    await page.locator('li.notification', { hasText: `Order #${order.id} has shipped` }).waitFor()
    await page.waitForSelector('[data-testid="unread-count"]:has-text("2")')
    assert.match((await items.first().textContent()) ?? '', /has shipped/)
    assert.equal(await page.locator('li.notification[data-read="false"]').count(), 2)
    await ui.screenshot('portal-notifications')

    // Marked read: that one loses its "Mark read" button and the badge counts one.
    await paid.locator('button', { hasText: 'Mark read' }).click()
    await page.waitForSelector('[data-testid="unread-count"]:has-text("1")')
    await paid.and(page.locator('[data-read="true"]')).waitFor()
    assert.equal(await paid.locator('button').count(), 0)

    // The link to the order works, and the count is still there on another screen.
    await page.locator('li.notification', { hasText: 'has shipped' }).locator('a').click()
    await page.waitForURL(new RegExp(`#/orders/${order.id}$`))
    await page.waitForSelector('[data-testid="order-status"] [data-status="shipped"]')
    assert.equal(await page.locator('[data-testid="unread-count"]').textContent(), '1 unread')

    // The server agrees, and the page was never reloaded nor had a problem.
    const unread = await api('GET', '/notifications?readAt=null&$limit=0', { token: customer.token })
    assert.equal(unread.body.total, 1)
    assert.equal(await page.evaluate(() => (window as any).__sameDocument), true)
    assert.deepEqual(ui.problems, [], ui.problems.join('\n'))
    await ui.context.close()
  })

  it('fits a phone screen (390 px), with the count in the header', async () => {
    const customer = await userWithRoles(['customer'])
    await capturedPayment(customer)
    const ui = await openPage({ phone: true })
    const { page, url } = ui
    await page.goto(url('/#/notifications'))
    await page.fill('#login-email', customer.email)
    await page.fill('#login-password', customer.password)
    await page.click('form button[type="submit"]')
    await page.waitForSelector('li.notification', { timeout: 15_000 })
    await page.waitForSelector('[data-testid="unread-count"]:has-text("1")')
    assert.equal(
      await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
      true,
      'nothing wider than the screen'
    )
    await ui.screenshot('portal-notifications-phone')
    assert.deepEqual(ui.problems, [], ui.problems.join('\n'))
    await ui.context.close()
  })
})

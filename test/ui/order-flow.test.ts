import assert from 'node:assert/strict'
import { closeBrowser, openPage } from '../helpers/browser'
import { stockedProduct } from '../helpers/commerce'
import { api, unique, userWithRoles } from '../helpers/server'

// The spec's consumers together, each in its own browser context: a customer shops in the portal while an admin
// watches the admin panel. Nothing is reloaded; every change reaches the other side over its socket.
describe('UI: a customer orders and pays in the portal while an admin ships it from the admin panel', function () {
  this.timeout(120_000)
  after(closeBrowser)

  it('shows the order arriving live in the admin panel, and "shipped" on the customer’s orders page', async () => {
    const admin = await userWithRoles(['admin'])
    const product = await stockedProduct(admin, { stock: 5 })
    const [shop, panel] = await Promise.all([openPage(), openPage()])

    // The admin opens the live list of orders first.
    await panel.page.goto(panel.url('/admin/#/login'))
    await panel.page.fill('#login-email', admin.email)
    await panel.page.fill('#login-password', admin.password)
    await panel.page.click('form button[type=submit]')
    await panel.page.waitForSelector('header.admin-top')
    await panel.page.goto(panel.url('/admin/#/r/orders'))
    // (An empty list says so instead of showing a table.)
    await panel.page.waitForSelector('table.records[data-resource="orders"], p.empty')
    await panel.page.evaluate(() => ((window as any).__sameDocument = true))

    // A new customer registers, puts the product in the cart and checks out.
    const { page } = shop
    await page.goto(shop.url('/#/register'))
    await page.fill('#register-email', `${unique('buyer')}@example.com`)
    await page.fill('#register-name', 'Buyer')
    await page.fill('#register-password', 'correct horse battery')
    await page.click('form button[type="submit"]')
    await page.waitForSelector('[data-testid="signed-in-as"]')
    await page.goto(shop.url(`/#/products/${product.id}`))
    await page.waitForSelector('#product-title')
    await page.fill('#quantity', '2')
    await page.click('.add-form button[type="submit"]')
    await page.waitForSelector('.banner.notice')
    await page.goto(shop.url('/#/checkout'))
    await page.fill('#address-name', 'Buyer')
    await page.fill('#address-line1', '5 Harbour Road')
    await page.fill('#address-city', 'Busan')
    await page.fill('#address-country', 'KR')
    await page.click('form.checkout button[type="submit"]')
    await page.waitForURL(/#\/orders\/\d+$/)
    const orderId = Number(/orders\/(\d+)$/.exec(page.url())![1])

    // The order appears in the admin's list without a reload, pending, then paid once the customer pays.
    const adminRow = panel.page.locator(`table.records[data-resource="orders"] tr[data-id="${orderId}"]`)
    await adminRow.locator('[data-status="pending"]').waitFor({ timeout: 15_000 })
    await page.check('input[name="paymentMethod"][value="sim_succeed"]')
    await page.click('.pay-form button[type="submit"]')
    await page.waitForSelector('[data-testid="order-status"] [data-status="paid"]')
    await adminRow.locator('[data-status="paid"]').waitFor({ timeout: 15_000 })
    await panel.screenshot('flow-admin-orders-live')

    // The customer watches the orders page while the admin ships the order.
    await page.click('header a[href="#/orders"]')
    await page.waitForSelector(`[data-order-id="${orderId}"] [data-status="paid"]`)
    await page.evaluate(() => ((window as any).__sameDocument = true))
    await adminRow.locator('a').first().click()
    await panel.page.click('button[data-transition="ship"]')
    await panel.page.waitForSelector('#transitions-title + p [data-status="shipped"]')
    await page.waitForSelector(`[data-order-id="${orderId}"] [data-status="shipped"]`, { timeout: 15_000 })
    await shop.screenshot('flow-portal-orders-shipped')

    // Neither page was reloaded, and the server agrees.
    assert.equal(await page.evaluate(() => (window as any).__sameDocument), true)
    assert.equal(await panel.page.evaluate(() => (window as any).__sameDocument), true)
    const stored = await api('GET', `/orders/${orderId}`, { token: admin.token })
    assert.equal(stored.body.status, 'shipped')
    assert.deepEqual(shop.problems, [], shop.problems.join('\n'))
    assert.deepEqual(panel.problems, [], panel.problems.join('\n'))
    await Promise.all([shop.context.close(), panel.context.close()])
  })
})

import assert from 'node:assert/strict'
import { api } from '../helpers/server'
import { closeBrowser, openPage } from '../helpers/browser'

describe('UI pages (public/, built from ui/)', () => {
  after(closeBrowser)

  for (const [name, path] of [
    ['portal', '/'],
    ['admin panel', '/admin/']
  ]) {
    it(`serves the ${name} with a CSP that forbids inline scripts`, async () => {
      const { page, problems, url, context } = await openPage()
      const response = await page.goto(url(path))
      assert.equal(response?.status(), 200)
      const csp = response!.headers()['content-security-policy']
      assert.match(csp, /script-src 'self'(;|$)/)
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/)
      // An inline script added to the page does not run.
      const ran = await page.evaluate(() => {
        const script = document.createElement('script')
        script.textContent = 'window.__inlineRan = true'
        document.body.append(script)
        return (window as any).__inlineRan === true
      })
      assert.equal(ran, false)
      assert.ok(problems.some((problem) => /Content Security Policy/.test(problem)))
      await context.close()
    })
  }

  it('serves the admin panel at /admin without a trailing slash', async () => {
    const response = await api('GET', '/admin')
    assert.equal(response.status, 200)
    assert.match(String(response.body), /<div id="app">/)
  })

  it('lets browsers keep the hashed assets and always revalidate the pages', async () => {
    const { page, url, context } = await openPage()
    const assets: string[] = []
    page.on('response', (response) => {
      if (new URL(response.url()).pathname.startsWith('/assets/'))
        assets.push(response.headers()['cache-control'])
    })
    const response = await page.goto(url('/'))
    await page.waitForLoadState('load')
    assert.equal(response?.headers()['cache-control'], 'no-cache')
    assert.ok(assets.length > 0)
    for (const cacheControl of assets) assert.equal(cacheControl, 'max-age=31536000,immutable')
    await context.close()
  })

  it('does not put the CSP of the pages on API answers', async () => {
    const response = await api('GET', '/categories')
    assert.equal(response.headers.get('content-security-policy'), null)
  })
})

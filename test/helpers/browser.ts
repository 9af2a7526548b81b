import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { testServer } from './server'

// Debian's Chromium, never a downloaded one (.ci/run installs it with apt-get when missing).
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
]
export const ARTIFACTS = path.resolve(__dirname, '../artifacts')
const ROOT = path.resolve(__dirname, '../..')

let built: Promise<unknown> | undefined
let browser: Promise<Browser> | undefined

/** Builds the UI (ui/ → public/) once per test run, so the tests see the current sources. */
export const buildUi = () =>
  (built ??= promisify(execFile)(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'ui/vite.config.ts',
      '--logLevel',
      'warn'
    ],
    { cwd: ROOT }
  ))

const launch = async () => {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`)
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true })
}

export const closeBrowser = async () => {
  if (!browser) return
  const running = browser
  browser = undefined
  await (await running).close()
}

export interface UiPage {
  page: Page
  context: BrowserContext
  /** Console errors, uncaught exceptions and CSP violations seen so far. */
  problems: string[]
  url: (pathAndHash: string) => string
  screenshot: (name: string) => Promise<void>
}

/**
 * A fresh browser context (its own storage: one user) on the started test server. `phone` gives a phone-sized
 * viewport. Problems on the page are collected so tests can assert there were none.
 */
export const openPage = async ({ phone = false }: { phone?: boolean } = {}): Promise<UiPage> => {
  const [{ url: base }] = await Promise.all([testServer(), buildUi()])
  const running = await (browser ??= launch())
  const context = await running.newContext(
    phone
      ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }
      : { viewport: { width: 1280, height: 900 } }
  )
  const page = await context.newPage()
  const problems: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text())
  })
  page.on('pageerror', (error) => problems.push(`${error.name}: ${error.message}`))
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`)
    void dialog.dismiss()
  })
  return {
    page,
    context,
    problems,
    url: (pathAndHash) => `${base}${pathAndHash}`,
    screenshot: async (name) => {
      fs.mkdirSync(ARTIFACTS, { recursive: true })
      await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true })
    }
  }
}

import fs from 'node:fs'
import path from 'node:path'
import type { Context, Next } from 'koa'
import type { Application } from '../declarations'
import type { ResourceDeclaration } from '../engine/declarations/declaration'
import type { Settings } from '../engine/domain'
import { openApiDocument, type DocumentSources } from '../engine/generators/openapi'
import { clientModel } from '../engine/generators/client-model'
import { authenticationOpenApi } from '../auth/openapi'
import { domain } from '../contexts'
import { operationsOpenApi } from './openapi-operations'
import pkg from '../../package.json'

const TITLE = 'Internal API'

/**
 * What the document is made of besides the declarations: the contexts' contracts and paths (the domain), the
 * platform's paths (authentication first, health and metrics last) and, when given, the configuration.
 */
export const documentSources = (settings?: Settings): DocumentSources => ({
  domain,
  settings,
  platform: { first: [authenticationOpenApi], last: [operationsOpenApi] }
})

/** The served document: the declarations, this package's version and licence, the configured provider's methods. */
export const servedDocument = (resources: ResourceDeclaration[], settings?: Settings) =>
  openApiDocument(
    resources,
    { title: TITLE, version: pkg.version, license: { name: pkg.license } },
    documentSources(settings)
  )

// Swagger UI's files come from the installed package, served by this process: no CDN, nothing to vendor.
const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'))

/** The files of swagger-ui-dist the page needs; nothing else from that folder is served. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'index.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png'
}

// The initializer is a file, not an inline script, so the CSP below needs no 'unsafe-inline'.
const INITIALIZER = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout'
  })
})
`

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${TITLE} ${pkg.version}: API documentation</title>
    <link rel="stylesheet" href="/docs/swagger-ui.css" />
    <link rel="stylesheet" href="/docs/index.css" />
    <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32" />
    <link rel="icon" type="image/png" href="/docs/favicon-16x16.png" sizes="16x16" />
  </head>
  <body>
    <div id="swagger-ui"><noscript>The document itself: <a href="/openapi.json">/openapi.json</a></noscript></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/initializer.js"></script>
  </body>
</html>
`

/**
 * Scripts, styles and the spec from this origin only; `data:` images are Swagger UI's inline SVG icons.
 * No 'unsafe-inline' and no 'unsafe-eval': an injected script in a description cannot run.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
].join('; ')

const send = (ctx: Context, type: string, body: string | fs.ReadStream) => {
  ctx.set('Content-Security-Policy', DOCS_CSP)
  ctx.set('X-Content-Type-Options', 'nosniff')
  ctx.type = type
  ctx.body = body
}

/**
 * `GET /openapi.json`: the OpenAPI document of the declared resources (src/engine/generators/openapi/), and
 * `GET /docs`: Swagger UI browsing it. The document is built on the first request, once: the resources are
 * registered after this middleware is mounted, and they do not change while the process runs.
 */
export const openApiEndpoints = (app: Application) => {
  let document: string | undefined
  let model: string | undefined
  const documentText = () => (document ??= JSON.stringify(servedDocument(app.get('resources'), app)))
  const modelText = () =>
    (model ??= JSON.stringify(clientModel(app.get('resources'), domain.payments?.(app))))
  return async (ctx: Context, next: Next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next()
    if (ctx.path === '/openapi.json') {
      ctx.type = 'application/json'
      ctx.body = documentText()
      return
    }
    if (ctx.path === '/declarations.json') {
      ctx.type = 'application/json'
      ctx.body = modelText()
      return
    }
    if (ctx.path === '/docs' || ctx.path === '/docs/') return send(ctx, 'text/html; charset=utf-8', PAGE)
    if (ctx.path === '/docs/initializer.js')
      return send(ctx, 'application/javascript; charset=utf-8', INITIALIZER)
    const name = ctx.path.startsWith('/docs/') ? ctx.path.slice('/docs/'.length) : undefined
    if (name && Object.hasOwn(ASSETS, name)) {
      ctx.set('Cache-Control', 'public, max-age=3600')
      return send(ctx, ASSETS[name], fs.createReadStream(path.join(SWAGGER_UI_DIR, name)))
    }
    return next()
  }
}

import fs from 'node:fs'
import path from 'node:path'
import type { Context, Next } from 'koa'
import type { Application } from '../declarations'
import { DOCS_CSP } from '../ops/openapi'

const dirOf = (pkg: string) => path.dirname(require.resolve(`${pkg}/package.json`))

/** GraphiQL and the React it runs on, from node_modules (no CDN): name -> file and type. */
const ASSETS: Record<string, [string, string]> = {
  'react.js': [path.join(dirOf('react'), 'umd/react.production.min.js'), 'application/javascript'],
  'react-dom.js': [
    path.join(dirOf('react-dom'), 'umd/react-dom.production.min.js'),
    'application/javascript'
  ],
  'graphiql.js': [path.join(dirOf('graphiql'), 'graphiql.min.js'), 'application/javascript'],
  'graphiql.css': [path.join(dirOf('graphiql'), 'graphiql.min.css'), 'text/css']
}

// A file, not an inline script: the page's CSP allows scripts from this origin only.
const INITIALIZER = `const fetcher = GraphiQL.createFetcher({ url: location.origin + '/graphql' })
ReactDOM.createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultQuery: '# Add {"Authorization": "Bearer <access token>"} under Headers to act as a user.\\n' +
      '{ products(limit: 5) { total data { id name priceCents currency } } }\\n'
  })
)
`

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>GraphiQL: Internal API</title>
    <link rel="stylesheet" href="/graphql/assets/graphiql.css" />
    <link rel="stylesheet" href="/graphql/assets/page.css" />
    <link rel="icon" href="data:," />
  </head>
  <body>
    <div id="graphiql"><noscript>The schema itself: src/generated/schema.graphql</noscript></div>
    <script src="/graphql/assets/react.js"></script>
    <script src="/graphql/assets/react-dom.js"></script>
    <script src="/graphql/assets/graphiql.js"></script>
    <script src="/graphql/assets/init.js"></script>
  </body>
</html>
`
const PAGE_CSS = 'html, body, #graphiql { height: 100%; margin: 0; }\n'

/** `/docs`' policy, but GraphiQL's stylesheet embeds its fonts as `data:` URLs (fonts run no script). */
export const GRAPHIQL_CSP = DOCS_CSP.replace("font-src 'self'", "font-src 'self' data:")

const send = (ctx: Context, type: string, body: string | fs.ReadStream) => {
  ctx.set('Content-Security-Policy', GRAPHIQL_CSP)
  ctx.set('X-Content-Type-Options', 'nosniff')
  ctx.type = type
  ctx.body = body
}

/** A browser asking for the page (not a GraphQL-over-HTTP GET, which names a query). */
const wantsPage = (ctx: Context) =>
  ctx.path === '/graphql' &&
  ctx.query.query === undefined &&
  ctx.accepts(['application/json', 'text/html']) === 'text/html'

/**
 * `GET /graphql` in a browser: GraphiQL, served from node_modules under the same strict CSP as `/docs`; only
 * while introspection is allowed (`graphql.introspection`: off in production), since the explorer needs it.
 */
export const graphiql = (app: Application) => async (ctx: Context, next: Next) => {
  if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || !app.get('graphql').introspection) return next()
  if (wantsPage(ctx)) return send(ctx, 'text/html; charset=utf-8', PAGE)
  if (!ctx.path.startsWith('/graphql/assets/')) return next()
  const name = ctx.path.slice('/graphql/assets/'.length)
  ctx.set('Cache-Control', 'public, max-age=3600')
  if (name === 'init.js') return send(ctx, 'application/javascript; charset=utf-8', INITIALIZER)
  if (name === 'page.css') return send(ctx, 'text/css; charset=utf-8', PAGE_CSS)
  if (!Object.hasOwn(ASSETS, name)) return next()
  const [file, type] = ASSETS[name]
  return send(ctx, `${type}; charset=utf-8`, fs.createReadStream(file))
}

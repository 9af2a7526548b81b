import type { RouteNode } from '@feathersjs/transport-commons/lib/routing/router'
import type { Application } from '../declarations'

/** The router's own walk, but a segment only matches a child the node really has (not `__proto__` or `toString`). */
const walk = (node: RouteNode, path: string[], params: Record<string, string>): RouteNode | null => {
  if (path.length === node.depth) return node.data === undefined ? null : node
  const current = path[node.depth]
  const child = Object.hasOwn(node.children, current) ? node.children[current] : undefined
  const found = child && walk(child, path, params)
  if (found) return found
  for (const placeholder of node.placeholders) {
    const result = walk(placeholder, path, params)
    if (result) {
      params[placeholder.name] = current
      return result
    }
  }
  return null
}

/**
 * Feathers' router looks path segments up in plain objects, so `/constructor` or a socket call on service
 * `__proto__` finds an `Object.prototype` member and fails with a TypeError (a 500). This lookup serves
 * both transports and answers such paths as unknown (404).
 */
export const safeLookup = (app: Application) => {
  const router = app.routes
  const lookup = (path: string) => {
    if (typeof path !== 'string') return null
    const params: Record<string, string> = {}
    const node = walk(router.root, router.getPath(path), params)
    return node ? { params, data: node.data } : null
  }
  // The declared type says non-null, but Feathers' own lookup returns null for an unknown path too.
  router.lookup = lookup as typeof router.lookup
}

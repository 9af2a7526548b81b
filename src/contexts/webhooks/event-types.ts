import type { ResourceDeclaration } from '../../engine/declarations/declaration'

/** The types every write of a publishing resource emits; a declared transition adds `<resource>.<target state>`. */
export const WRITE_EVENTS = ['created', 'patched', 'updated', 'removed']

/** The event types a resource publishes after its name (`created`, …, `paid`, `shipped`), or none. */
export const publishedTypes = (resource: ResourceDeclaration): string[] => {
  if (!resource.publish) return []
  const states = Object.values(resource.states?.transitions ?? {}).map((transition) => transition.to)
  return [...new Set([...WRITE_EVENTS, ...states])]
}

/**
 * What is wrong with one subscription pattern, or undefined: `*`, `<resource>.*` or `<resource>.<type>`, where
 * the resource publishes events and the type is one it emits. A typo would otherwise never match anything.
 */
export const eventPatternProblem = (
  pattern: string,
  resources: ResourceDeclaration[]
): string | undefined => {
  if (pattern === '*') return undefined
  const dot = pattern.indexOf('.')
  const name = pattern.slice(0, dot)
  const type = pattern.slice(dot + 1)
  const resource = resources.find((each) => each.name === name)
  if (!resource) return `names no declared resource: '${name.slice(0, 64)}'`
  const types = publishedTypes(resource)
  if (!types.length) return `names ${name}, which publishes no events`
  if (type !== '*' && !types.includes(type)) {
    return `is not an event of ${name}: use ${name}.* or one of ${types.map((each) => `${name}.${each}`).join(', ')}`
  }
  return undefined
}

import { METHODS, type ResourceDeclaration } from './declaration'
import type { Domain } from '../domain'
import type { Problem } from './check'

/** `rateLimit` names a configured limiter for a method someone may call; `apiKeys: read` needs a read method. */
export const checkRules = (resource: ResourceDeclaration, domain: Domain): Problem[] => {
  const problems: Problem[] = []
  const problem = (pointer: string[], message: string) =>
    problems.push({ file: resource.file, pointer, message })
  const limiters = domain.rateLimiters ?? []
  for (const method of METHODS) {
    const limiter = resource.rateLimit[method]
    if (limiter === undefined) continue
    if (!limiters.includes(limiter))
      problem(
        ['rateLimit', method],
        `unknown rate limiter '${limiter}' (one of: ${limiters.join(', ') || 'none configured'})`
      )
    if (!Object.keys(resource.access[method]).length)
      problem(['rateLimit', method], `${method} is closed (no access grant): nothing to limit`)
  }
  return problems
}

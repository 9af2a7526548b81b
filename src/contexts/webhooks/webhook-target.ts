import type { Application } from '../../declarations'
import { isIpLiteral, isLocalName, isPrivateAddress } from './private-addresses'

/** Whether private, loopback and link-local targets are allowed (WEBHOOK_ALLOW_PRIVATE_TARGETS), read per call. */
export const privateTargetsAllowed = (app: Application) => app.get('webhooks')?.allowPrivateTargets === true

/**
 * What is wrong with a webhook URL as a URL, or undefined: only http(s), and no credentials (they would be sent to
 * whoever the URL names and shown to every admin). Parsed as WHATWG URLs are, so `http://2130706433/` is
 * 127.0.0.1 and `[::ffff:127.0.0.1]` is the same address.
 */
const shapeProblem = (parsed: URL) => {
  if (!['http:', 'https:'].includes(parsed.protocol)) {
    return `must be an http or https URL, not ${parsed.protocol.slice(0, 20)}`
  }
  if (parsed.username || parsed.password) return 'must not contain credentials (user:password@)'
  if (!parsed.hostname) return 'has no host'
  return undefined
}

const parse = (url: string) => {
  try {
    return new URL(url)
  } catch {
    return undefined
  }
}

const literalProblem = (host: string) =>
  isIpLiteral(host) && isPrivateAddress(host)
    ? `names a private, loopback or link-local address (${host}), which webhooks may not reach`
    : undefined

/**
 * What is wrong with a URL an admin writes, or undefined: its shape and, unless private targets are allowed, a
 * literal private address or a name that always means this machine. Other names are judged after DNS, at each
 * delivery (src/contexts/webhooks/send-webhook.ts).
 */
export const webhookUrlProblem = (url: string, allowPrivate: boolean): string | undefined => {
  const parsed = parse(url)
  if (!parsed) return 'is not a URL: expected https://host/path'
  const problem = shapeProblem(parsed)
  if (problem || allowPrivate) return problem
  if (isLocalName(parsed.hostname))
    return `names this machine (${parsed.hostname}), which webhooks may not reach`
  return literalProblem(parsed.hostname)
}

/**
 * What forbids sending to a URL now, or undefined: its shape and a literal private address (no DNS is asked
 * for those). A name is checked on the addresses it resolves to when the connection is made.
 */
export const sendingProblem = (url: string, allowPrivate: boolean): string | undefined => {
  const parsed = parse(url)
  if (!parsed) return 'is not a URL'
  return shapeProblem(parsed) ?? (allowPrivate ? undefined : literalProblem(parsed.hostname))
}

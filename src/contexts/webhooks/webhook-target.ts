import type { Application } from '../../declarations'
import { isIpLiteral, isLocalName, isPrivateAddress } from './private-addresses'

/** Whether private, loopback and link-local targets are allowed (WEBHOOK_ALLOW_PRIVATE_TARGETS), read per call. */
export const privateTargetsAllowed = (app: Application) => app.get('webhooks')?.allowPrivateTargets === true

/**
 * What is wrong with a webhook URL, or undefined: only http(s), no credentials (they would be sent to whoever
 * the URL names and shown to every admin), and, unless private targets are allowed, no literal private address
 * nor a name that always means this machine. A name is checked after DNS at each delivery as well.
 */
export const webhookUrlProblem = (url: string, allowPrivate: boolean): string | undefined => {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return 'is not a URL: expected https://host/path'
  }
  if (!['http:', 'https:'].includes(parsed.protocol)) {
    return `must be an http or https URL, not ${parsed.protocol.slice(0, 20)}`
  }
  if (parsed.username || parsed.password) return 'must not contain credentials (user:password@)'
  if (!parsed.hostname) return 'has no host'
  if (allowPrivate) return undefined
  if (isIpLiteral(parsed.hostname) && isPrivateAddress(parsed.hostname)) {
    return `names a private, loopback or link-local address (${parsed.hostname}), which webhooks may not reach`
  }
  if (isLocalName(parsed.hostname))
    return `names this machine (${parsed.hostname}), which webhooks may not reach`
  return undefined
}

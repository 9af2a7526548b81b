import type { HookContext } from '../../declarations'
import type { Behaviour } from '../../engine/runtime/behaviour'
import type { ResourceDeclaration } from '../../engine/declarations/declaration'
import { invalid } from '../../engine/errors'
import { eventPatternProblem } from './event-types'
import { newSigningSecret } from './standard-webhooks'
import { privateTargetsAllowed, webhookUrlProblem } from './webhook-target'

/** The URL and the event patterns a create or patch writes, checked beyond what the schema states. */
const checkTarget = (context: HookContext) => {
  const { url, events } = context.data ?? {}
  if (typeof url === 'string') {
    const problem = webhookUrlProblem(url, privateTargetsAllowed(context.app))
    if (problem) throw invalid('url', problem)
  }
  if (Array.isArray(events)) {
    const resources: ResourceDeclaration[] = context.app.get('resources')
    events.forEach((pattern: string, index: number) => {
      const problem = eventPatternProblem(pattern, resources)
      if (problem) throw invalid(`events.${index}`, problem)
    })
  }
}

/**
 * `webhook-subscriptions`: the target must be a public http(s) URL and the patterns events the API emits. Create
 * generates the Standard Webhooks signing secret, stores it (hidden: never read back through any transport) and
 * returns it once, as `secret` in the create answer, as API keys do with theirs.
 */
export const webhookSubscriptionRules: Behaviour = {
  description: 'checks the target URL and event patterns; issues the signing secret once on create',
  around: {
    create: [
      async (context, next) => {
        checkTarget(context)
        const secret = newSigningSecret()
        context.data = { ...context.data, signingSecret: secret, createdBy: context.params.user?.id ?? null }
        await next()
        context.result = { ...context.result, secret }
      }
    ],
    patch: [
      async (context, next) => {
        checkTarget(context)
        await next()
      }
    ]
  }
}

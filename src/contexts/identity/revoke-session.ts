import { MethodNotAllowed } from '@feathersjs/errors'
import type { Behaviour } from '../../engine/runtime/behaviour'
import { revokeSessions } from '../../auth/sessions'

/** `DELETE /sessions/:id` revokes the session (its tokens stop working, its sockets are told); the row stays. */
export const revokeSession: Behaviour = {
  description: 'remove revokes a session instead of deleting it',
  around: {
    remove: [
      async (context) => {
        if (context.id === null || context.id === undefined)
          throw new MethodNotAllowed('Revoke sessions one at a time')
        // The caller's row scope (owner or admin) is in the query: someone else's session is a 404.
        const session = await context.self._get(context.id, context.params)
        const [revoked] = session.revokedAt
          ? [session]
          : await revokeSessions(context.app, { id: session.id }, 'revoked', context.params)
        // A concurrent call may have revoked it since the read: answer the row as it is now, not an empty 204.
        context.result = revoked ?? (await context.self._get(context.id, context.params))
        context.event = null // revokeSessions announces it as `patched`
      }
    ]
  }
}

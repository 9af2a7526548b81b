import { BadRequest } from '@feathersjs/errors'
import type { Behaviour } from './types'
import { newApiKey } from '../auth/api-keys'
import { audit } from '../auth/audit'

/** Creating a key generates its secret: stored as a hash, returned once as `key` in the create response. */
export const issueApiKey: Behaviour = {
  description: 'generates the key secret on create and returns it once',
  around: {
    create: [
      async (context, next) => {
        const declared = new Set(
          context.app.get('resources').map((resource: { name: string }) => resource.name)
        )
        const scopes: { resource: string }[] = context.data.scopes
        const unknown = scopes.findIndex((scope) => !declared.has(scope.resource))
        if (unknown >= 0) {
          const field = `scopes.${unknown}.resource`
          throw new BadRequest(`Invalid data: ${field} names no declared resource`, {
            errors: [{ field, message: 'names no declared resource' }]
          })
        }
        const { key, prefix, keyHash } = newApiKey()
        context.data = { ...context.data, prefix, keyHash, createdBy: context.params.user?.id ?? null }
        await next()
        await audit(
          context.app,
          {
            action: 'apikey.create',
            subjectType: 'api-keys',
            subjectId: context.result.id,
            details: { name: context.result.name }
          },
          context.params
        )
        context.result = { ...context.result, key }
      }
    ]
  }
}

/** `DELETE /api-keys/:id` revokes the key at once; the row stays for the record. */
export const revokeApiKey: Behaviour = {
  description: 'remove revokes a key instead of deleting it',
  around: {
    remove: [
      async (context) => {
        const key = await context.self._get(context.id, context.params)
        context.result = key.revokedAt
          ? key
          : await context.self._patch(key.id, { revokedAt: new Date().toISOString() }, context.params)
        await audit(
          context.app,
          { action: 'apikey.revoke', subjectType: 'api-keys', subjectId: key.id },
          context.params
        )
      }
    ]
  }
}

import type { Behaviour } from '../../engine/runtime/behaviour'
import { keysMayCall, newApiKey } from '../../auth/api-keys'
import type { ResourceDeclaration } from '../../engine/declarations/declaration'
import { METHODS, READ_METHODS } from '../../engine/vocabulary'
import { audit } from '../../auth/audit'
import { invalid } from '../../engine/errors'

/** Creating a key generates its secret: stored as a hash, returned once as `key` in the create response. */
export const issueApiKey: Behaviour = {
  description: 'generates the key secret on create and returns it once',
  around: {
    create: [
      async (context, next) => {
        const declared = new Map<string, ResourceDeclaration>(
          context.app.get('resources').map((resource: ResourceDeclaration) => [resource.name, resource])
        )
        const scopes: { resource: string; methods?: string[]; readOnly?: boolean }[] = context.data.scopes
        scopes.forEach((scope, index) => {
          const field = `scopes.${index}.resource`
          const fail = (message: string) => invalid(field, message)
          const resource = declared.get(scope.resource)
          if (!resource) throw fail('names no declared resource')
          // What a key may touch is declared per resource (`apiKeys:` false or read): a key must never be
          // a way around the identity rules.
          if (resource.apiKeys === false) throw fail('cannot be given to an API key')
          const methods = scope.readOnly ? READ_METHODS : (scope.methods ?? METHODS)
          if (methods.some((method) => !keysMayCall(resource, method)))
            throw fail('can only be read with an API key')
        })
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

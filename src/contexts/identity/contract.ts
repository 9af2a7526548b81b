// What the identity context's behaviours add to the contract (src/engine/generators/behaviour-contract.ts).
import type { ContractRegistry } from '../../engine/generators/behaviour-contract'
import type { ResourceDeclaration } from '../../engine/declarations/declaration'

const names = (resources: ResourceDeclaration[]) => {
  const listed = resources.map((resource) => resource.name)
  return listed.length > 1 ? `${listed.slice(0, -1).join(', ')} and ${listed.at(-1)}` : listed.join('')
}

/** The scope rule, from the declarations (`apiKeys:` false or read on a resource). */
const scopeRule = (all: ResourceDeclaration[]) => {
  const closed = all.filter((resource) => resource.apiKeys === false)
  const readOnly = all.filter((resource) => resource.apiKeys === 'read')
  return (
    '`scopes[].resource` must name a declared resource' +
    (closed.length ? ` other than ${names(closed)}` : '') +
    (readOnly.length
      ? `; ${readOnly.map((resource) => `\`${resource.name}\``).join(', ')} only with \`find\`/\`get\` or \`readOnly\``
      : '') +
    ' (else 400).'
  )
}

export const identityContracts: ContractRegistry = {
  // src/contexts/identity/api-key-secrets.ts
  issueApiKey: (all) => ({
    createdProperties: {
      key: {
        type: 'string',
        pattern: '^iak_',
        description: 'The secret to send as `X-API-Key`: shown in this answer only, never again'
      }
    },
    rules: { create: [scopeRule(all)] }
  }),
  // src/contexts/identity/user-account.ts
  userAccount: () => ({
    // A wrong currentPassword counts toward the account's login limit.
    statuses: { patch: ['429'] },
    rules: {
      create: ['`password` must not be the email address (400).'],
      patch: [
        'Changing your own `email` or `password` needs `currentPassword` (400 without it or when wrong; wrong ' +
          'ones count toward the login limit, 429); a new password ends your other sessions and must not be the ' +
          'email address.'
      ]
    }
  })
}

import type { ResourceDeclaration } from '../declarations/declaration'
import { isRead } from '../vocabulary'

/** What the resource's declaration lets any API key do (`apiKeys:` true, `read` or false), whatever its scopes. */
export const keysMayCall = (resource: Pick<ResourceDeclaration, 'apiKeys'>, method: string) =>
  resource.apiKeys === true || (resource.apiKeys === 'read' && isRead(method))

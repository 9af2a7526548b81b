import type { Behaviour } from './types'
import { issueApiKey, revokeApiKey } from './api-keys'
import { revokeSession } from './revoke-session'
import { userAccount } from './user-account'

/** Every behaviour a declaration may name. */
export const behaviours: Record<string, Behaviour> = { issueApiKey, revokeApiKey, revokeSession, userAccount }

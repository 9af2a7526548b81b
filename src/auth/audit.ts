import type { Params } from '@feathersjs/feathers'
import type { Application } from '../declarations'
import { requestInfo } from './request-info'
import type { AuditLog } from '../generated/types'

/** The actions declared in src/contexts/identity/audit-log.yaml (generated type). */
export type AuditAction = AuditLog['action']

export interface AuditEntry {
  action: AuditAction
  actorId?: number | null
  actorKeyId?: number | null
  subjectType?: string
  subjectId?: number
  details?: Record<string, unknown>
}

/**
 * Appends to the audit log, in the caller's transaction when there is one (so the entry commits or rolls
 * back with the change it records). Who acted comes from `params` unless the entry names it.
 */
export const audit = async (
  app: Application,
  entry: AuditEntry,
  params: Params & Record<string, any> = {}
) => {
  const { ip, userAgent } = requestInfo(params)
  await app.service('audit-log').create(
    {
      actorId: params.user?.id ?? null,
      actorKeyId: params.apiKey?.id ?? null,
      ip,
      userAgent,
      ...entry
    },
    { transaction: params.transaction }
  )
}

import { testServer } from './server'

/** The outbox rows of one record (`<resource>`, id), oldest first, as stored. */
export const outboxOf = async (resource: string, id: number | string) => {
  const { app } = await testServer()
  return app
    .get('knex')('outbox_events')
    .where('subject', String(id))
    .andWhere('type', 'like', `${resource}.%`)
    .orderBy('position')
}

/** The outbox's last position now: rows after it were written later. */
export const outboxPosition = async (): Promise<number> => {
  const { app } = await testServer()
  const row = await app.get('knex')('outbox_events').max('position as position').first()
  return Number(row?.position ?? 0)
}

/** Resolves once `check()` is true, polling every 50 ms, or fails after `ms` saying `what`. */
export const eventually = async (what: string, check: () => Promise<boolean>, ms = 10_000) => {
  const until = Date.now() + ms
  for (;;) {
    if (await check()) return
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

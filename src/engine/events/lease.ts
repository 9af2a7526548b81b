import type { Knex } from 'knex'

/**
 * A named lease in `worker_leases`: one holder at a time among every process sharing the database, taken over by
 * another once it expires (its holder died). Renewing is taking it again before it expires. Works the same on
 * PostgreSQL and the embedded database (one statement, no session state).
 */
export const takeLease = async (
  knex: Knex,
  name: string,
  holder: string,
  ttlMs: number
): Promise<boolean> => {
  const expiresAt = new Date(Date.now() + ttlMs)
  const { rows } = await knex.raw(
    `insert into worker_leases (name, holder, "expiresAt") values (?, ?, ?)
     on conflict (name) do update set holder = excluded.holder, "expiresAt" = excluded."expiresAt"
     where worker_leases.holder = excluded.holder or worker_leases."expiresAt" < now()
     returning holder`,
    [name, holder, expiresAt]
  )
  return rows.length === 1
}

/** Gives the lease up (on a clean stop), so another process takes over at once. */
export const releaseLease = async (knex: Knex, name: string, holder: string) => {
  await knex('worker_leases').where({ name, holder }).delete()
}

import type { Application } from '../declarations'

/** The roles that run the platform, as `_roles.yaml` declares them (`administrative: true`). */
export const administrativeRoles = (app: Application): string[] => app.get('administrativeRoles') ?? []

/** Whether this user holds an administrative role. */
export const isAdministrator = (app: Application, user: { roles?: unknown } | undefined) => {
  const held = Array.isArray(user?.roles) ? (user.roles as string[]) : []
  return administrativeRoles(app).some((role) => held.includes(role))
}

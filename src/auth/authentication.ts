import { AuthenticationService, JWTStrategy } from '@feathersjs/authentication'
import { LocalStrategy } from '@feathersjs/authentication-local'
import type { Application } from '../declarations'

declare module '../declarations' {
  interface ServiceTypes {
    authentication: AuthenticationService
  }
}

/** JWT (REST `Authorization: Bearer`, Socket.io `authenticate`) and local email + password login. */
export const authentication = (app: Application) => {
  const service = new AuthenticationService(app)
  service.register('jwt', new JWTStrategy())
  service.register('local', new LocalStrategy())
  app.use('authentication', service)
}

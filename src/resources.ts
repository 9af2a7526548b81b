import type { Application } from './declarations'
import type { ResourceDeclaration } from './engine/declaration'
import { registerResources } from './engine/register'

/** Every declaration in config/resources becomes a service; behaviours hook in here by name (later issues). */
export const resources = (app: Application, declarations: ResourceDeclaration[]) => {
  registerResources(app, declarations)
}

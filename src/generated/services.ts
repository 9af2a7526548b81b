// Placeholder until `npm run generate` writes it.
import type { ResourceService } from '../engine/resource-service'

export interface ServiceTypes {
  users: ResourceService
  categories: ResourceService
  products: ResourceService
}

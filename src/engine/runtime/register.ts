import type { Application } from '../../declarations'
import type { ResourceDeclaration } from '../declarations/declaration'
import { pipeline } from '../pipeline/pipeline'
import { ResourceService } from './resource-service'
import { resourceSchemas } from './schemas'
import { emptyDomain, type Domain } from '../domain'
import { toStorage } from '../pipeline/to-storage'
import { stateMachine } from '../pipeline/state-machine'
import { idempotencyHooks } from '../pipeline/idempotency'
import { METHODS } from '../vocabulary'
import { checkReferences } from '../pipeline/check-references'
import { deriveFields } from '../pipeline/derive-fields'
import { includeDefaultsOnWrite } from '../pipeline/include-relations'
import type { AroundHook } from './behaviour'

/** A command's own write (`params.command`, src/engine/runtime/records.ts) skips the behaviours: the command is them. */
const unlessCommand =
  (hook: AroundHook): AroundHook =>
  (context, next) =>
    context.params.command ? next() : hook(context, next)

/**
 * Per method, after the shared pipeline (`around.all` runs first) and so inside the transaction: the
 * Idempotency-Key, the state machine, the declared behaviours, then the references the caller may read and the
 * derived fields (after the behaviours: a behaviour's own answer to a missing reference stands, and the
 * engine's derived value wins over one a behaviour copied), and last the encoding for storage.
 */
const behaviourHooks = (resource: ResourceDeclaration, domain: Domain) =>
  Object.fromEntries(
    METHODS.map((method) => [
      method,
      [
        // First, so a replayed request runs nothing else (no state checks, no behaviours).
        ...idempotencyHooks(resource, method),
        // Outside the state machine: the relations as they are after the transition's effects.
        ...(resource.includeOnWrite ? [includeDefaultsOnWrite(resource)] : []),
        ...(resource.states ? [stateMachine(resource, domain)] : []),
        ...resource.behaviours.flatMap((name) =>
          (domain.behaviours[name].around[method] ?? []).map(unlessCommand)
        ),
        checkReferences(resource),
        deriveFields(resource),
        toStorage(resource)
      ]
    ])
  )

/** Registers one declared resource as a Feathers service (REST and Socket.io alike) with the shared pipeline. */
export const registerResource = (app: Application, resource: ResourceDeclaration, domain: Domain) => {
  const schemas = resourceSchemas(resource)
  const service = new ResourceService(
    {
      Model: app.get('knex'),
      name: resource.table,
      id: 'id',
      paginate: resource.query.paginate || undefined,
      multi: false,
      events: resource.events
    },
    resource,
    app.get('totalsCache')
  )
  app.use(resource.path as any, service, { methods: [...METHODS], events: resource.events })
  app
    .service(resource.path as any)
    .hooks({ around: { all: pipeline(resource, schemas), ...behaviourHooks(resource, domain) } })
  return schemas
}

export const registerResources = (
  app: Application,
  resources: ResourceDeclaration[],
  domain: Domain = emptyDomain
) => {
  const schemas = Object.fromEntries(
    resources.map((resource) => [resource.name, registerResource(app, resource, domain)])
  )
  app.set('resources', resources)
  app.set('schemas', schemas)
}

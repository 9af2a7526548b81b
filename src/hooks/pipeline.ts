import type { ResourceDeclaration } from '../engine/declaration'
import type { ResourceSchemas } from '../engine/schemas'
import { authenticateIfPresent } from './authenticate'
import { authorize } from './authorize'
import { inTransaction } from './transaction'
import { managedFields } from './managed-fields'
import { mapErrors } from './map-errors'
import { maskResult } from './mask-result'
import { scopeQuery } from './scope-query'
import { validateData, validateQuery, validatorsFor } from './validate'

/**
 * The one hook pipeline every generated service gets, in this order (DESIGN.md):
 * errors -> authenticate -> authorize -> validate -> scope -> server-set fields -> mask result -> transaction.
 * Around hooks unwind in reverse, so the result is masked after the transaction has committed, and
 * Feathers publishes events after all of them.
 */
export const pipeline = (resource: ResourceDeclaration, schemas: ResourceSchemas) => {
  const validators = validatorsFor(schemas)
  return [
    mapErrors,
    authenticateIfPresent,
    authorize(resource),
    validateQuery(validators),
    validateData(validators),
    scopeQuery(resource),
    managedFields(resource),
    maskResult(resource),
    inTransaction
  ]
}

import type { ResourceDeclaration } from '../declarations/declaration'
import { nullTextFilters, type ResourceSchemas } from '../runtime/schemas'
import { authenticateIfPresent } from './authenticate'
import { authorize } from './authorize'
import { inTransaction } from './transaction'
import { managedFields } from './managed-fields'
import { mapErrors } from './map-errors'
import { requestContext } from './request-context'
import { maskResult } from './mask-result'
import { scopeQuery } from './scope-query'
import { validateData, validateQuery, validatorsFor } from './validate'
import { includeRelations } from './include-relations'

/**
 * The one hook pipeline every generated service gets, in this order (DESIGN.md):
 * log and time -> errors -> authenticate -> authorize -> includes -> validate -> scope -> server-set fields -> mask result
 * -> transaction.
 * Around hooks unwind in reverse, so the result is masked after the transaction has committed, and
 * Feathers publishes events after all of them.
 */
export const pipeline = (resource: ResourceDeclaration, schemas: ResourceSchemas) => {
  const validators = validatorsFor(schemas, nullTextFilters(resource))
  return [
    requestContext,
    mapErrors,
    authenticateIfPresent,
    authorize(resource),
    includeRelations(resource),
    validateQuery(validators),
    validateData(validators),
    scopeQuery(resource),
    managedFields(resource),
    maskResult(resource),
    inTransaction
  ]
}

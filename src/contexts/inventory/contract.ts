// What the inventory context's behaviours add to the contract (src/engine/generators/behaviour-contract.ts).
import type { ContractRegistry } from '../../engine/generators/behaviour-contract'

export const inventoryContracts: ContractRegistry = {
  // src/contexts/inventory/inventory-ledger.ts
  inventoryLedger: () => ({
    statuses: { create: ['409'] },
    rules: {
      create: [
        '`receive` needs a positive `quantity`; `adjust` a non-zero `quantity` and a `reason` (else 400). ' +
          'Stock never goes below zero (409).'
      ]
    }
  })
}

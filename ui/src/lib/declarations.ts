import type { ClientModel, ClientResource } from '../../../src/engine/generators/client-model-types'

export type { ClientModel, ClientResource }
export type { ClientField } from '../../../src/engine/generators/client-model-types'

let model: Promise<ClientModel> | undefined

/** The declarations as the server describes them to clients (`GET /declarations.json`), fetched once. */
export const loadDeclarations = () =>
  (model ??= fetch('/declarations.json').then((response) => {
    if (!response.ok) throw new Error(`Could not load /declarations.json (${response.status})`)
    return response.json() as Promise<ClientModel>
  }))

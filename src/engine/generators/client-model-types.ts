// The shape of `GET /declarations.json` (client-model.ts). Kept free of server imports: the UI (ui/) type-checks
// against this file too.
import type { MethodName, ResourceDeclaration, StateMachine } from '../declarations/declaration'

type JsonSchema = Record<string, unknown>

/** One field as a client (the admin panel) needs it to list, filter and edit records. */
export interface ClientField {
  type: string
  /** Set by the server (ids, timestamps, versions): shown, never edited. */
  managed: boolean
  readonly: boolean
  optional: boolean
  /** Input only (e.g. `currentPassword`, `items`): written, never returned. */
  virtual: boolean
  owner: boolean
  /** Never returned (password hashes, key hashes); a writable hidden field is input only. */
  hidden: boolean
  values?: string[]
  /** For fields in `query.filter`: the query operators it takes besides equality (`$ilike` on search fields). */
  operators?: string[]
  /** The resource a `ref` points to. */
  to?: string
  description?: string
}

export interface ClientResource {
  name: string
  path: string
  description?: string
  fields: Record<string, ClientField>
  /** The JSON schemas the server validates with: the same rules run in the browser. */
  schemas: { result: JsonSchema; data: JsonSchema; patch: JsonSchema }
  query: ResourceDeclaration['query']
  /**
   * Per method, the principals (public, authenticated, owner, role names) that may call it and, for writes, the
   * fields each may write (absent: every writable field). An empty map: the method is not offered. Row
   * conditions stay on the server.
   */
  access: Record<MethodName, Record<string, { fields?: string[] }>>
  states?: StateMachine
  realtime: boolean | 'owner'
  softDelete: boolean
}

export interface ClientModel {
  resources: ClientResource[]
  /**
   * The payment providers enabled for new payments: `methods` a checkout may offer as a list (`paymentMethod` of a
   * payment), and each provider with its methods (a list, or `methodsHint` in words) and currencies. `provider`:
   * the first enabled (null: none).
   */
  payments: {
    provider: string | null
    methods: string[]
    providers: Array<{ name: string; methods?: string[]; methodsHint?: string; currencies: string[] }>
  }
}

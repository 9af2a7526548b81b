import { BadRequest, NotAuthenticated } from '@feathersjs/errors'
import { LocalStrategy } from '@feathersjs/authentication-local'
import type { Params } from '@feathersjs/feathers'
import { newSecret } from './secrets'

const NO_ACCOUNT = Symbol('no-account')

/** bcrypt reads the first 72 bytes only: a longer password would be cut silently, so it is refused instead. */
export const PASSWORD_MAX_BYTES = 72

/**
 * Email and password, with an unknown email costing what a wrong password costs: a bcrypt comparison against a
 * dummy hash of the same cost, so the answer's timing does not say which emails have accounts.
 */
export class TimingSafeLocalStrategy extends LocalStrategy {
  private dummy?: Promise<string>

  /** The dummy hash, made once (the first unknown email must not pay for making it). */
  dummyHash() {
    return (this.dummy ??= this.hashPassword(newSecret(), {}))
  }

  /** Every stored password is hashed here (src/engine/pipeline/to-storage.ts): none longer than bcrypt reads, whatever the route. */
  async hashPassword(password: string, params: Params) {
    if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) {
      throw new BadRequest(`A password must NOT be longer than ${PASSWORD_MAX_BYTES} bytes (UTF-8)`)
    }
    return super.hashPassword(password, params)
  }

  async findEntity(username: string, params: Params) {
    try {
      return await super.findEntity(username, params)
    } catch (error) {
      if (!(error instanceof NotAuthenticated)) throw error
      return { [NO_ACCOUNT]: true, [this.configuration.entityPasswordField]: await this.dummyHash() }
    }
  }

  async comparePassword(entity: any, password: string) {
    const result = await super.comparePassword(entity, password)
    // Unreachable (the dummy hashes 256 random bits), but never let the dummy through.
    if (entity[NO_ACCOUNT]) throw new NotAuthenticated(this.configuration.errorMessage)
    return result
  }
}

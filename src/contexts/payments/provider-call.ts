import type { Application } from '../../declarations'

/** The provider did not answer within `payments.providerTimeoutMs`: what was asked may or may not have happened. */
export class ProviderTimeout extends Error {
  constructor(what: string, ms: number) {
    super(`the payment provider did not answer ${what} within ${ms} ms`)
    this.name = 'ProviderTimeout'
  }
}

/**
 * A provider call that answers within `payments.providerTimeoutMs`, or a `ProviderTimeout`. The call itself goes
 * on (nothing can take back a request in flight) and its late answer is dropped: the record it was for stays
 * pending, and the reconciler asks the provider about its idempotency key.
 */
export const withinProviderTimeout = async <T>(
  app: Application,
  what: string,
  call: () => Promise<T>
): Promise<T> => {
  const ms: number = app.get('payments').providerTimeoutMs
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProviderTimeout(what, ms)), ms)
  })
  const attempt = call()
  // A failure after the timeout has nobody waiting for it: not an unhandled rejection.
  attempt.catch(() => undefined)
  try {
    return await Promise.race([attempt, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * The provider could not be reached or answered that it cannot work now (an outage, a 5xx, a refused connection,
 * a rejected key): nothing is known about the call. The record stays pending for the reconciler, and a client
 * waiting for it is answered 503 with `Retry-After`.
 */
export class ProviderUnavailable extends Error {
  constructor(
    provider: string,
    readonly detail: string
  ) {
    super(`the ${provider} payment provider is unavailable: ${detail}`)
    this.name = 'ProviderUnavailable'
  }
}

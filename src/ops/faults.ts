import type { Application } from '../declarations'

/**
 * Where an unexpected error from an event listener or a fire-and-forget promise goes: logged and counted, never
 * thrown back into the emitter (a service's event hook, a Redis client's parser) and never left unhandled.
 */
export const reportFault = (app: Application, where: string, error: unknown) => {
  app.get('logger').error({ err: error, where }, 'event listener failed')
  app.get('metrics').listenerErrors.inc({ listener: where })
}

/** `listener` made safe for `.on(...)`: a throw or a rejection is reported under `where`, never propagated. */
export const safely =
  <A extends unknown[]>(app: Application, where: string, listener: (...args: A) => unknown) =>
  (...args: A) => {
    try {
      const result = listener(...args) as any
      if (typeof result?.then === 'function')
        result.then(undefined, (error: unknown) => reportFault(app, where, error))
    } catch (error) {
      reportFault(app, where, error)
    }
  }

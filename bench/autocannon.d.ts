// The part of autocannon's API the load worker uses (the package ships no types).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events'

  namespace autocannon {
    interface Request {
      method?: string
      path?: string
      headers?: Record<string, string>
      body?: string | Buffer
      setupRequest?: (request: Request, context: object) => Request
    }
    interface Options {
      url: string
      connections?: number
      duration?: number
      overallRate?: number
      timeout?: number
      requests?: Request[]
    }
    interface Result {
      duration: number
      errors: number
      timeouts: number
      non2xx: number
      requests: { average: number; total: number }
      statusCodeStats: Record<string, { count: number }>
    }
    interface Instance extends EventEmitter {
      stop: () => void
    }
  }

  function autocannon(
    options: autocannon.Options,
    callback: (error: Error | null, result: autocannon.Result) => void
  ): autocannon.Instance

  export = autocannon
}

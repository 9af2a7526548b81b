import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { formErrors, type FormErrors } from '../lib/errors'

export interface Loaded<T> {
  data: T | undefined
  error: FormErrors | null
  loading: boolean
  reload: () => Promise<void>
  set: (data: T) => void
}

/** Loads data when `deps` change; a failure becomes an error to show, never an exception on the page. */
export const useLoad = <T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> => {
  const [data, setData] = useState<T | undefined>(undefined)
  const [error, setError] = useState<FormErrors | null>(null)
  const [loading, setLoading] = useState(true)
  const current = useRef(0)
  const reload = useCallback(async () => {
    const run = ++current.current
    setLoading(true)
    try {
      const result = await load()
      if (run !== current.current) return
      setData(result)
      setError(null)
    } catch (failure) {
      if (run !== current.current) return
      setError(formErrors(failure))
    } finally {
      if (run === current.current) setLoading(false)
    }
  }, deps)
  useEffect(() => {
    void reload()
  }, [reload])
  return { data, error, loading, reload, set: setData }
}

/** Subscribes to a service's realtime events while mounted. */
export const useEvents = (
  source: { on: (event: string, listener: (record: any) => void) => unknown } & {
    removeListener: (event: string, listener: (record: any) => void) => unknown
  },
  listeners: Partial<Record<'created' | 'patched' | 'updated' | 'removed', (record: any) => void>>,
  enabled: boolean
) => {
  const latest = useRef(listeners)
  latest.current = listeners
  useEffect(() => {
    if (!enabled) return
    const bound = (['created', 'patched', 'updated', 'removed'] as const).map((event) => {
      const listener = (record: any) => latest.current[event]?.(record)
      source.on(event, listener)
      return [event, listener] as const
    })
    return () => {
      for (const [event, listener] of bound) source.removeListener(event, listener)
    }
  }, [source, enabled])
}

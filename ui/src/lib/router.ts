import { useEffect, useState } from 'preact/hooks'

/** The hash route of the page (`#/orders/12` → `['orders', '12']`): the server serves one file per app. */
export const useRoute = (): string[] => {
  const read = () =>
    location.hash.replace(/^#\/?/, '').split('?')[0].split('/').filter(Boolean).map(decodeURIComponent)
  const [route, setRoute] = useState(read)
  useEffect(() => {
    const changed = () => setRoute(read())
    window.addEventListener('hashchange', changed)
    return () => window.removeEventListener('hashchange', changed)
  }, [])
  return route
}

export const navigate = (...parts: (string | number)[]) => {
  location.hash = '#/' + parts.map((part) => encodeURIComponent(String(part))).join('/')
}

export const href = (...parts: (string | number)[]) =>
  '#/' + parts.map((part) => encodeURIComponent(String(part))).join('/')

// A seeded random source for the fuzz test: the same seed gives the same requests, run after run.

export interface Random {
  /** A float in [0, 1). */
  next: () => number
  int: (min: number, max: number) => number
  chance: (probability: number) => boolean
  pick: <T>(values: readonly T[]) => T
  shuffle: <T>(values: T[]) => T[]
}

/** mulberry32: small, fast and good enough to spread test cases; not for anything secret. */
export const seeded = (seed: number): Random => {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1))
  return {
    next,
    int,
    chance: (probability) => next() < probability,
    pick: (values) => values[int(0, values.length - 1)],
    shuffle: (values) => {
      for (let i = values.length - 1; i > 0; i--) {
        const j = int(0, i)
        ;[values[i], values[j]] = [values[j], values[i]]
      }
      return values
    }
  }
}

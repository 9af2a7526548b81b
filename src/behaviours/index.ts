import type { Behaviour } from './types'

/** Every behaviour a declaration may name. */
export const behaviours: Record<string, Behaviour> = {}

/** A duration as configured: `500ms`, `30s`, `30m`, `2h`, `1d`, or `0` (off). */
export const DURATION_PATTERN = '^(0|[0-9]+(ms|s|m|h|d))$'
/** A comma-separated list of durations: `5s,30s,2m,10m,1h`. */
export const DURATION_LIST_PATTERN = '^[0-9]+(ms|s|m|h|d)(,[0-9]+(ms|s|m|h|d))*$'

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** Milliseconds of a duration the configuration schema has already checked against DURATION_PATTERN. */
export const durationMs = (text: string): number => {
  const match = /^([0-9]+)(ms|s|m|h|d)?$/.exec(text.trim())
  if (!match) throw new Error(`not a duration: ${text}`)
  return Number(match[1]) * UNIT_MS[match[2] ?? 'ms']
}

export const durationListMs = (text: string): number[] => text.split(',').map(durationMs)

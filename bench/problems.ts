import type { FanoutResult } from './fanout-worker'
import type { LoadResult } from './load-worker'
import type { StockCheck } from './invariants'

// What makes a run wrong rather than slow. No performance thresholds: the numbers are for reading, but a
// scenario answered with 401s or 500s would be measuring the wrong thing, and CI's smoke run must say so.

export const loadProblems = (label: string, result: LoadResult, expected: number[]) => {
  const problems: string[] = []
  const unexpected = Object.entries(result.statuses).filter(([code]) => !expected.includes(Number(code)))
  if (unexpected.length)
    problems.push(`${label}: unexpected statuses ${JSON.stringify(Object.fromEntries(unexpected))}`)
  if (result.errors)
    problems.push(`${label}: ${result.errors} connection errors (${result.timeouts} timeouts)`)
  if (!result.requests) problems.push(`${label}: no responses`)
  return problems
}

export const fanoutProblems = (label: string, result: FanoutResult) => {
  const problems: string[] = []
  if (result.failedPatches)
    problems.push(`${label}: ${result.failedPatches} of ${result.patches} patches failed`)
  if (result.delivered < result.expected)
    problems.push(
      `${label}: ${result.expected - result.delivered} of ${result.expected} events never arrived`
    )
  return problems
}

export const stockProblems = (stock: StockCheck) =>
  stock.negative + stock.offLedger + stock.oversold
    ? [`stock invariant broken: ${JSON.stringify(stock)}`]
    : []

import { ensureOrders } from './prefill'
import { log, type BenchContext } from './context'
import { measureLoad } from './load'
import { loadProblems } from './problems'
import { machine } from './report'

const MB = 1024 * 1024
const RSS_INTERVAL_MS = 5_000

/**
 * `--soak`: the API alone at a fixed rate (a shop's mix of reads and orders) for minutes, sampling its RSS.
 * Growth is measured from the end of the first minute (start-up, JIT and pools have settled by then).
 */
export const runSoak = async (context: BenchContext) => {
  const { options } = context
  await ensureOrders(context)
  log(`soak: ${options.soakRate} req/s for ${options.soakSeconds} s`)
  const result = await measureLoad(
    context.api,
    {
      scenario: 'soak',
      seconds: options.soakSeconds,
      warmupSeconds: 0,
      connections: 50,
      overallRate: options.soakRate,
      dataFile: context.dataFile
    },
    context.workDir,
    RSS_INTERVAL_MS
  )
  const samples = result.rssSamples.filter(Number.isFinite)
  const settled = samples[Math.min(samples.length - 1, Math.round(60_000 / RSS_INTERVAL_MS))] ?? NaN
  const end = samples[samples.length - 1] ?? NaN
  const minutes = Math.max(1e-9, (options.soakSeconds - 60) / 60)
  const problems = loadProblems('api soak', result, [200, 201, 409])
  if (result.requestsPerSecond < options.soakRate * 0.95)
    problems.push(
      `api soak: ${Math.round(result.requestsPerSecond)} req/s, below the ${options.soakRate} asked`
    )
  const mb = (n: number) => (n / MB).toFixed(1)
  const report = [
    '# Soak results',
    '',
    `\`npm run bench -- --soak\` on ${new Date().toISOString()}; ${machine()}.`,
    '',
    `- ${result.requests} requests in ${result.seconds} s (${Math.round(result.requestsPerSecond)} req/s asked ${options.soakRate}), ` +
      `p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, statuses ${JSON.stringify(result.statuses)}`,
    `- RSS: idle ${mb(result.rssIdle)} MB, after 1 min ${mb(settled)} MB, at the end ${mb(end)} MB, peak ${mb(result.rssLoad)} MB`,
    `- Growth after the first minute: ${mb(end - settled)} MB (${mb((end - settled) / minutes)} MB/min)`,
    `- RSS every ${RSS_INTERVAL_MS / 1000} s (MB): ${samples.map((s) => Math.round(s / MB)).join(' ')}`,
    ''
  ].join('\n')
  return { report, problems }
}

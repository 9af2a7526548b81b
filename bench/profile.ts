import fs from 'node:fs'
import path from 'node:path'

// Summarizes a V8 CPU profile (`node --cpu-prof`): self time by package and by function, idle excluded,
// optionally per time window (one per measured scenario, so start-up and seeding stay out of it).
// `npm run bench -- --profile` prints it for the API server; `tsx bench/profile.ts <file>` reads any profile.

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
}

interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  samples: number[]
  timeDeltas: number[]
}

/** A span of the monotonic clock (µs, as `process.hrtime` and V8's profiler both count) to report on. */
export interface ProfileWindow {
  label: string
  from: number
  to: number
}

export const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n)

const IDLE = new Set(['(idle)', '(program)'])

/** Which package a frame belongs to: node_modules/<pkg>, the project's src/ file, or node's internals. */
const packageOf = (url: string, name: string) => {
  if (!url) return name.startsWith('(') ? name : '(native)'
  const modules = url.lastIndexOf('node_modules/')
  if (modules >= 0) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/')
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]
  }
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0]
  const src = url.indexOf('/src/')
  return src >= 0 ? url.slice(src + 1) : path.basename(url)
}

const top = (totals: Map<string, number>, all: number, count: number) =>
  [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, hits]) => `${((100 * hits) / all).toFixed(1).padStart(5)} %  ${name}`)

const summarize = (profile: CpuProfile, label: string, within: (time: number) => boolean, count: number) => {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const byFunction = new Map<string, number>()
  const byPackage = new Map<string, number>()
  let busy = 0
  let idle = 0
  let time = profile.startTime
  profile.samples.forEach((id, i) => {
    time += profile.timeDeltas[i]
    if (!within(time)) return
    const { callFrame } = byId.get(id)!
    if (IDLE.has(callFrame.functionName)) return void idle++
    busy++
    const where = callFrame.url ? ` ${packageOf(callFrame.url, '')}:${callFrame.lineNumber + 1}` : ''
    const fn = `${callFrame.functionName || '(anonymous)'}${where}`
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + 1)
    const pkg = packageOf(callFrame.url, callFrame.functionName)
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + 1)
  })
  const share = busy + idle ? Math.round((100 * busy) / (busy + idle)) : 0
  return [
    `## ${label}: ${busy} busy samples (${share} % of the window), self time`,
    'by package or file:',
    ...top(byPackage, busy, count),
    'by function:',
    ...top(byFunction, busy, count),
    ''
  ].join('\n')
}

export const summarizeProfile = (file: string, windows: ProfileWindow[] = [], count = 15) => {
  const profile: CpuProfile = JSON.parse(fs.readFileSync(file, 'utf8'))
  if (!windows.length) return summarize(profile, file, () => true, count)
  return windows
    .map(({ label, from, to }) => summarize(profile, label, (t) => t >= from && t <= to, count))
    .join('\n')
}

/** The server's main thread: the largest of the profiles `--cpu-prof` wrote (tsx's loader thread writes one too). */
export const mainThreadProfile = (dir: string) =>
  fs
    .readdirSync(dir)
    .map((name) => path.join(dir, name))
    .sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0]

if (require.main === module) {
  for (const file of process.argv.slice(2)) console.log(summarizeProfile(file))
}

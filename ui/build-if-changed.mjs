// `prestart`: builds the UI (ui/ → public/) only when public/ is missing or older than what it is built from,
// so the second `npm start` starts at once. `npm run build:ui` always builds.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const stamp = path.join(root, 'public', '.build-stamp')
// What a build depends on: the UI sources and config, the server files the UI imports (generated types and
// the client model's types), and the versions of Vite, Preact & co.
const inputs = [
  'ui',
  'src/generated',
  'src/engine/generators/client-model-types.ts',
  'package.json',
  'package-lock.json'
].map((entry) => path.join(root, entry))

/** The newest modification time under `entry` (a file or a directory), 0 when it does not exist. */
const newest = (entry) => {
  let stat
  try {
    stat = fs.statSync(entry)
  } catch {
    return 0
  }
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(stat.mtimeMs, ...fs.readdirSync(entry).map((name) => newest(path.join(entry, name))))
}

const builtAt = newest(stamp)
const changedAt = Math.max(...inputs.map(newest))
if (builtAt && builtAt >= changedAt) {
  console.log('UI is up to date (public/ is newer than ui/); `npm run build:ui` rebuilds it')
  process.exit(0)
}
const started = Date.now()
const build = spawnSync('npm', ['run', '--silent', 'build:ui'], { cwd: root, stdio: 'inherit' })
if (build.status !== 0) process.exit(build.status ?? 1)
// Written after a complete build only (an interrupted build is redone on the next start), dated when the
// build began: a source saved during the build is newer, so the next start builds again.
fs.writeFileSync(stamp, `${new Date(started).toISOString()}\n`)
fs.utimesSync(stamp, started / 1000, started / 1000)
console.log(`UI built into public/ in ${((Date.now() - started) / 1000).toFixed(1)} s`)

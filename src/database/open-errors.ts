import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import lockfile from 'proper-lockfile'

// Opening a database fails in one line that names the setting or the path and the cause, never with a
// driver's object, an errno number or a stack trace.

const causes: Record<string, string> = {
  EACCES: 'permission denied (the server cannot write there)',
  EPERM: 'operation not permitted (the server cannot write there)',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'it or a part of its path is a file, not a directory',
  ENOENT: 'no such file or directory',
  ECONNREFUSED: 'connection refused (is PostgreSQL running there?)',
  ENOTFOUND: 'unknown host',
  EAI_AGAIN: 'the host name could not be resolved',
  ETIMEDOUT: 'timed out',
  '3D000': 'the database does not exist',
  '28P01': 'password authentication failed',
  '28000': 'the server refused this user'
}
// PGlite's file system (Emscripten) reports WASI errno numbers instead of codes.
const wasiErrno: Record<number, string> = {
  2: 'EACCES',
  44: 'ENOENT',
  51: 'ENOSPC',
  54: 'ENOTDIR',
  63: 'EPERM',
  69: 'EROFS'
}

/** One line saying why, from a Node, pg, knex or Emscripten error (or an AggregateError of them). */
export const causeOf = (error: any): string => {
  const inner = error?.errors?.[0] ?? error?.cause
  const code = error?.code ?? (typeof error?.errno === 'number' ? wasiErrno[error.errno] : undefined)
  if (typeof code === 'string' && causes[code]) return causes[code]
  const message = typeof error?.message === 'string' ? error.message.split('\n')[0] : ''
  if (message) return message
  if (inner) return causeOf(inner)
  if (typeof error?.errno === 'number') return `system error ${error.errno}`
  return String(error?.name ?? 'unknown error')
}

export const cannotOpen = (dataDir: string, error: unknown) =>
  new Error(
    `DATA_DIR (database.dataDir) ${path.resolve(dataDir)}: cannot open the embedded database: ${causeOf(error)}`
  )

/**
 * `mkdir -p` that ends and says why: Node's recursive mkdir reports every failure as ENOENT, and loops forever
 * where mkdir answers ENOENT under an existing parent (/proc, some FUSE mounts), deaf to SIGTERM.
 */
export const makeDirectories = (dir: string): void => {
  const resolved = path.resolve(dir)
  try {
    if (fs.statSync(resolved).isDirectory()) return
    throw Object.assign(new Error(`${resolved} is not a directory`), { code: 'ENOTDIR' })
  } catch (error: any) {
    if (error.code !== 'ENOENT') throw error
  }
  const parent = path.dirname(resolved)
  if (parent !== resolved) makeDirectories(parent)
  try {
    fs.mkdirSync(resolved)
  } catch (error: any) {
    // Made by another process at the same moment.
    if (error.code !== 'EEXIST' || !fs.statSync(resolved).isDirectory()) throw error
  }
}

/** A URL without its password, for messages. */
export const redacted = (url: string) => {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return '(unparsable URL)'
  }
}

/** The data directory and what is in it must be writable, checked before PGlite reports it obscurely. */
export const assertWritable = (dataDir: string) => {
  const probe = path.join(dataDir, `.write-probe-${process.pid}`)
  fs.writeFileSync(probe, '')
  fs.rmSync(probe)
  for (const name of fs.readdirSync(dataDir)) fs.accessSync(path.join(dataDir, name), fs.constants.W_OK)
}

const HOLDER = 'holder'
const holderOf = (lockDir: string) => {
  const [pid, host, started] = fs.readFileSync(path.join(lockDir, HOLDER), 'utf8').split(' ')
  return { pid: Number(pid), host, started: started || undefined }
}

/** When a process started (Linux: clock ticks since boot), to tell it from a later one with the same pid. */
const startTimeOf = (pid: number) => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Field 22; the fields after the command name (which may hold spaces) start at field 3.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}

/**
 * Whether the process that wrote the lock is gone or still there (same host only: another host's pids mean
 * nothing here). A holder that is alive keeps the lock even when frozen past the staleness period (SIGSTOP, a
 * suspended laptop): taking it over would put two processes on one data directory.
 */
const holderState = (lockDir: string): 'dead' | 'alive' | 'unknown' => {
  let holder: ReturnType<typeof holderOf>
  try {
    holder = holderOf(lockDir)
  } catch {
    return 'unknown'
  }
  const { pid, host, started } = holder
  if (host !== os.hostname() || !Number.isInteger(pid)) return 'unknown'
  // Our own pid: a previous life of this container (pid 1 again), since we do not hold it.
  if (pid === process.pid) return 'dead'
  try {
    process.kill(pid, 0)
  } catch (error: any) {
    if (error?.code === 'ESRCH') return 'dead'
  }
  // The pid now belongs to another process: the holder died and its pid was reused.
  const now = startTimeOf(pid)
  if (started && now && now !== started) return 'dead'
  return 'alive'
}

// The lock directory carries its holder's pid and start time, written as it is made; removing it removes them.
const lockFs = {
  ...fs,
  mkdir: (dir: string, callback: (error: NodeJS.ErrnoException | null) => void) =>
    fs.mkdir(dir, (error) => {
      const started = startTimeOf(process.pid) ?? ''
      if (!error) fs.writeFileSync(path.join(dir, HOLDER), `${process.pid} ${os.hostname()} ${started}`)
      callback(error)
    }),
  rmdir: (dir: string, callback: (error: NodeJS.ErrnoException | null) => void) =>
    fs.rm(dir, { recursive: true, force: true }, callback)
}

/**
 * proper-lockfile's lock on `dataDir`, taken over at once from a holder that died (kill -9, power loss) instead
 * of after the 10 s staleness period; a live holder on this host keeps it however long it has been frozen.
 */
export const lockWithHolder = async (dataDir: string) => {
  const options = { stale: 10_000, update: 2_000, realpath: false, fs: lockFs }
  const lockDir = `${dataDir}.lock`
  const holder = holderState(lockDir)
  if (holder === 'alive')
    throw Object.assign(new Error('Lock file is already being held'), { code: 'ELOCKED' })
  if (holder === 'dead') fs.rmSync(lockDir, { recursive: true, force: true })
  return lockfile.lock(dataDir, options)
}

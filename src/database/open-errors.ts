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
  ENOTDIR: 'a part of the path is a file, not a directory',
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
  const [pid, host] = fs.readFileSync(path.join(lockDir, HOLDER), 'utf8').split(' ')
  return { pid: Number(pid), host }
}

/** Whether the process that wrote the lock is gone (same host only: another host's pids mean nothing here). */
const holderIsDead = (lockDir: string) => {
  try {
    const { pid, host } = holderOf(lockDir)
    if (host !== os.hostname() || !Number.isInteger(pid)) return false
    // Our own pid: a previous life of this container (pid 1 again), since we do not hold it.
    if (pid === process.pid) return true
    process.kill(pid, 0)
    return false
  } catch (error: any) {
    return error?.code === 'ESRCH'
  }
}

// The lock directory carries its holder's pid, written as it is made; removing it removes the pid too.
const lockFs = {
  ...fs,
  mkdir: (dir: string, callback: (error: NodeJS.ErrnoException | null) => void) =>
    fs.mkdir(dir, (error) => {
      if (!error) fs.writeFileSync(path.join(dir, HOLDER), `${process.pid} ${os.hostname()}`)
      callback(error)
    }),
  rmdir: (dir: string, callback: (error: NodeJS.ErrnoException | null) => void) =>
    fs.rm(dir, { recursive: true, force: true }, callback)
}

/**
 * proper-lockfile's lock on `dataDir`, taken over at once from a holder that died (kill -9, power loss) instead
 * of after the 10 s staleness period; a live holder still keeps it.
 */
export const lockWithHolder = async (dataDir: string) => {
  const options = { stale: 10_000, update: 2_000, realpath: false, fs: lockFs }
  try {
    return await lockfile.lock(dataDir, options)
  } catch (error: any) {
    const lockDir = `${dataDir}.lock`
    if (error.code !== 'ELOCKED' || !holderIsDead(lockDir)) throw error
    fs.rmSync(lockDir, { recursive: true, force: true })
    return lockfile.lock(dataDir, options)
  }
}

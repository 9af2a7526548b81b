import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { baseEnv, serverScript, startProcess, stopProcess } from '../helpers/process'

// The embedded database's data directory as processes meet it: a holder killed with -9, a read-only
// directory or file system. Child processes, as `npm start` runs the server.

const startFails = (env: NodeJS.ProcessEnv) => {
  const result = spawnSync(process.execPath, serverScript('src/index.ts'), {
    env,
    encoding: 'utf8',
    timeout: 60_000,
    // A server stuck in a synchronous loop never sees SIGTERM.
    killSignal: 'SIGKILL'
  })
  assert.equal(result.status, 1, result.stderr)
  const lines = result.stderr.trim().split('\n')
  assert.equal(lines.length, 1, `one line: ${result.stderr}`)
  assert.ok(!/\[object Object\]|errno| {4}at /.test(result.stderr), result.stderr)
  return result.stderr
}

const register = (url: string, email: string) =>
  fetch(`${url}/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'long enough 1', name: 'Embedded' })
  })

describe('embedded database: locks and unusable data directories', function () {
  this.timeout(120_000)
  let dir: string

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-'))
  })

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('restarts at once after kill -9, keeping committed rows, and still refuses while a holder lives', async () => {
    const env = { ...baseEnv(), DATA_DIR: path.join(dir, 'data') }
    const first = await startProcess(env)
    assert.equal((await register(first.url, 'before-kill@example.com')).status, 201)
    const killed = new Promise((resolve) => first.child.on('exit', resolve))
    first.child.kill('SIGKILL')
    await killed
    // Before: "in use by another process" for the 10 s the dead process's lock took to go stale.
    const second = await startProcess(env)
    try {
      const again = await register(second.url, 'before-kill@example.com')
      assert.equal(again.status, 409, 'the row committed before the kill is still there')
      const refused = startFails(env)
      assert.match(refused, /is in use by another process/)
    } finally {
      assert.equal(await stopProcess(second.child), 0)
    }
  })

  it('keeps the lock of a holder frozen past the staleness period (SIGSTOP, a suspended laptop)', async () => {
    const env = { ...baseEnv(), DATA_DIR: path.join(dir, 'data') }
    const first = await startProcess(env)
    first.child.kill('SIGSTOP')
    try {
      // Before: after 10 s the lock counted as stale, a second server opened the same data directory, and
      // the first died with "Unable to update lock within the stale threshold" once it went on.
      await new Promise((resolve) => setTimeout(resolve, 11_000))
      assert.match(startFails(env), /is in use by another process/)
    } finally {
      first.child.kill('SIGCONT')
    }
    await new Promise((resolve) => setTimeout(resolve, 2_500))
    assert.equal((await register(first.url, 'after-freeze@example.com')).status, 201)
    assert.equal(await stopProcess(first.child), 0)
  })

  it('names DATA_DIR and the cause in one line when it is a file, a broken secrets file or cannot be made', () => {
    const file = path.join(dir, 'file')
    fs.writeFileSync(file, '')
    const development = { ...baseEnv(), NODE_ENV: 'development' }
    for (const env of [baseEnv(), development]) {
      // Before: ENOTDIR naming no setting (development: the secrets file was written first).
      const message = startFails({ ...env, DATA_DIR: file })
      assert.match(message, /^DATA_DIR \(database\.dataDir\) .*file.*: .*is a file, not a directory/)
      // Before: Node's recursive mkdir looped for ever where mkdir answers ENOENT, deaf to SIGTERM.
      const impossible = path.join('/proc', `no-such-${process.pid}`, 'data')
      assert.match(
        startFails({ ...env, DATA_DIR: impossible }),
        /^DATA_DIR \(database\.dataDir\) \/proc\/.*: /
      )
    }
    // An empty secrets file (a crash or a full disk as it was written) is named, with what to do.
    const dataDir = path.join(dir, 'data')
    fs.mkdirSync(dataDir)
    fs.writeFileSync(path.join(dataDir, 'secrets.json'), '')
    assert.match(
      startFails({ ...development, DATA_DIR: dataDir }),
      /^DATA_DIR \(database\.dataDir\) .*secrets\.json: .*remove the file to make new secrets/
    )
  })

  it('names DATA_DIR, the path and the cause in one line when the file system is read-only', () => {
    const readOnly = path.join(dir, 'ro')
    fs.mkdirSync(readOnly)
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', readOnly])
    try {
      const dataDir = path.join(readOnly, 'data')
      const message = startFails({ ...baseEnv(), DATA_DIR: dataDir })
      assert.match(message, new RegExp(`^DATA_DIR \\(database\\.dataDir\\) ${dataDir}: .*read-only`))
    } finally {
      execFileSync('umount', ['-l', readOnly])
    }
  })

  it('names DATA_DIR, the path and the cause in one line when the server may not write there', () => {
    // The server as an unprivileged user, the data directory root's (root may write anywhere).
    const dataDir = path.join(dir, 'data')
    fs.mkdirSync(dataDir)
    fs.chmodSync(dir, 0o755)
    const id = (flag: string) => Number(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }))
    const result = spawnSync(process.execPath, serverScript('src/index.ts'), {
      env: { ...baseEnv(), DATA_DIR: dataDir, HOME: os.tmpdir() },
      uid: id('-u'),
      gid: id('-g'),
      encoding: 'utf8',
      timeout: 60_000
    })
    assert.equal(result.status, 1, result.stderr)
    assert.equal(
      result.stderr.trim(),
      `DATA_DIR (database.dataDir) ${dataDir}: cannot open the embedded database: permission denied (the server cannot write there)`
    )
  })

  it('names the path and the cause in one line when an existing database is read-only', async () => {
    const dataDir = path.join(dir, 'data')
    const env = { ...baseEnv(), DATA_DIR: dataDir }
    const server = await startProcess(env)
    assert.equal(await stopProcess(server.child), 0)
    // The database's own directory read-only (its parent, where the lock goes, stays writable).
    execFileSync('mount', ['--bind', dataDir, dataDir])
    try {
      execFileSync('mount', ['-o', 'remount,bind,ro', dataDir])
      const message = startFails(env)
      assert.match(message, new RegExp(`^DATA_DIR \\(database\\.dataDir\\) ${dataDir}: .*read-only`))
    } finally {
      execFileSync('umount', ['-l', dataDir])
    }
  })

  it('answers 507 when the disk is full, reports it in readiness, and writes again once space is freed', async () => {
    const disk = path.join(dir, 'disk')
    fs.mkdirSync(disk)
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=96m', 'tmpfs', disk])
    let server: Awaited<ReturnType<typeof startProcess>> | undefined
    try {
      server = await startProcess({ ...baseEnv(), DATA_DIR: path.join(disk, 'data') })
      const url = server.url
      assert.equal((await register(url, 'disk-0@example.com')).status, 201)
      const filler = path.join(disk, 'filler')
      try {
        execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k'], { stdio: 'ignore' })
      } catch {
        // dd stops with "No space left on device": the point
      }
      let refused: Response | undefined
      for (let i = 1; i <= 500 && !refused; i++) {
        const answer = await register(url, `disk-${i}@example.com`)
        if (answer.status !== 201) refused = answer
      }
      assert.ok(refused, 'a write was refused')
      const body = await refused.json()
      assert.equal(refused.status, 507, JSON.stringify(body))
      assert.equal(body.name, 'InsufficientStorage')
      assert.ok(Number(refused.headers.get('retry-after')) > 0)
      const ready = await fetch(`${url}/health/ready`)
      assert.equal(ready.status, 503)
      assert.match((await ready.json()).reason, /storage full/)
      fs.rmSync(filler)
      assert.equal((await register(url, 'disk-after@example.com')).status, 201)
    } finally {
      if (server) await stopProcess(server.child)
      execFileSync('umount', ['-l', disk])
    }
  })
})

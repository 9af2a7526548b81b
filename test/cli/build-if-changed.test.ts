import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

// `prestart` (ui/build-if-changed.mjs) in a scratch project whose `build:ui` only writes a marker: the real
// script, deciding whether to build, without the cost of a real Vite build.
describe('prestart: the UI is built only when public/ is missing or older than its inputs', function () {
  this.timeout(60_000)
  let root: string
  const marker = () => path.join(root, 'public', 'built-by')
  const prestart = (label: string) => {
    const run = spawnSync(process.execPath, ['ui/build-if-changed.mjs'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, LABEL: label }
    })
    assert.equal(run.status, 0, run.stderr)
    return run.stdout
  }
  const touch = (file: string, secondsFromNow: number) => {
    const when = Date.now() / 1000 + secondsFromNow
    fs.utimesSync(path.join(root, file), when, when)
  }

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'internal-api-prestart-'))
    fs.mkdirSync(path.join(root, 'ui/src'), { recursive: true })
    fs.mkdirSync(path.join(root, 'src/generated'), { recursive: true })
    fs.copyFileSync('ui/build-if-changed.mjs', path.join(root, 'ui/build-if-changed.mjs'))
    fs.writeFileSync(path.join(root, 'ui/src/main.ts'), 'export {}\n')
    fs.writeFileSync(path.join(root, 'src/generated/types.ts'), 'export {}\n')
    fs.writeFileSync(path.join(root, 'package-lock.json'), '{}\n')
    const build =
      "node -e \"const fs=require('fs');fs.rmSync('public',{recursive:true,force:true});" +
      "fs.mkdirSync('public');fs.writeFileSync('public/built-by',process.env.LABEL)\""
    fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ scripts: { 'build:ui': build } }))
  })
  after(() => fs.rmSync(root, { recursive: true, force: true }))

  it('builds on the first start, skips the next, and builds again after a change to ui/, src/generated or the lock', () => {
    assert.match(prestart('first'), /UI built into public\//)
    assert.equal(fs.readFileSync(marker(), 'utf8'), 'first')

    assert.match(prestart('second'), /UI is up to date/)
    assert.equal(fs.readFileSync(marker(), 'utf8'), 'first', 'the second start does not build')

    for (const [changed, label] of [
      ['ui/src/main.ts', 'after ui'],
      ['src/generated/types.ts', 'after generate'],
      ['package-lock.json', 'after npm install']
    ]) {
      touch(changed, 5)
      assert.match(prestart(label), /UI built/, changed)
      assert.equal(fs.readFileSync(marker(), 'utf8'), label)
      // Dated when the build began, the stamp is older than the touched file: move the clock past it.
      touch(changed, -5)
      assert.match(prestart('again'), /UI is up to date/, changed)
    }

    fs.rmSync(path.join(root, 'public'), { recursive: true })
    assert.match(prestart('no public'), /UI built/, 'a missing public/ (a fresh clone) builds')
  })
})

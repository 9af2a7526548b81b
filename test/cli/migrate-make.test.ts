import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { migrateMake, snapshotIsFresh } from '../../src/cli/migrate-make'

// migrate:make against a temporary resources folder and migrations folder.

const notes = (fields: string) => `name: notes
fields:
  id: { type: id }
  title: { type: string, maxLength: 100 }
${fields}`

describe('migrate:make', () => {
  let root: string
  let resourcesDir: string
  let migrationsDir: string
  let output: string[]
  const now = new Date('2026-01-02T03:04:05Z')
  const make = (name: string) =>
    migrateMake({ resourcesDir, migrationsDir, name, now, log: (line) => output.push(line) })
  const declare = (fields = '') => fs.writeFileSync(path.join(resourcesDir, 'notes.yaml'), notes(fields))
  const files = () => fs.readdirSync(migrationsDir).sort()

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'migrate-make-'))
    resourcesDir = path.join(root, 'resources')
    migrationsDir = path.join(root, 'migrations')
    fs.mkdirSync(resourcesDir)
    output = []
  })
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }))

  it('writes the first migration and the snapshot, then reports no changes', () => {
    declare()
    assert.equal(snapshotIsFresh({ resourcesDir, migrationsDir }).fresh, false)
    const { file, changes } = make('create-notes')
    assert.equal(file, path.join(migrationsDir, '20260102030405_create-notes.ts'))
    assert.deepEqual(changes, ['create table notes'])
    assert.deepEqual(files(), ['20260102030405_create-notes.ts', 'snapshot.json'])
    assert.match(fs.readFileSync(file!, 'utf8'), /createTable\('notes'/)
    assert.match(
      output.join('\n'),
      /Wrote .*20260102030405_create-notes\.ts:\n {2}create table notes\nUpdated .*snapshot\.json/
    )

    const snapshot = JSON.parse(fs.readFileSync(path.join(migrationsDir, 'snapshot.json'), 'utf8'))
    assert.deepEqual(Object.keys(snapshot.notes.columns), ['id', 'title'])
    assert.deepEqual(snapshot.notes.columns.title, { kind: 'string', length: 100, nullable: false })
    assert.deepEqual(snapshotIsFresh({ resourcesDir, migrationsDir }), {
      fresh: true,
      changes: [],
      message: `${path.join(migrationsDir, 'snapshot.json')} matches the declarations`
    })

    output = []
    assert.deepEqual(make('again'), { changes: [] })
    assert.match(output.join('\n'), /^No changes/)
    assert.equal(files().length, 2)
  })

  it('diffs against the snapshot and names what is stale', () => {
    declare()
    make('create-notes')
    declare('  body: { type: text, optional: true }\n  pinned: { type: boolean, default: false }\n')
    const check = snapshotIsFresh({ resourcesDir, migrationsDir })
    assert.equal(check.fresh, false)
    assert.match(check.message, /add column notes\.body text; add column notes\.pinned boolean/)
    const { file } = make('add-body')
    // Same clock as the first one: the new migration still sorts after it.
    assert.equal(path.basename(file!), '20260102030406_add-body.ts')
    assert.match(
      fs.readFileSync(file!, 'utf8'),
      /table\.boolean\('pinned'\)\.notNullable\(\)\.defaultTo\(knex\.raw\('false'\)\)/
    )
    assert.equal(snapshotIsFresh({ resourcesDir, migrationsDir }).fresh, true)
  })

  it('refuses a required column without a default, writing nothing', () => {
    declare()
    make('create-notes')
    const before = fs.readFileSync(path.join(migrationsDir, 'snapshot.json'), 'utf8')
    declare('  rank: { type: integer }\n')
    assert.throws(() => make('add-rank'), /notes\.rank.*default.*optional/s)
    assert.equal(files().length, 2)
    assert.equal(fs.readFileSync(path.join(migrationsDir, 'snapshot.json'), 'utf8'), before)
    const check = snapshotIsFresh({ resourcesDir, migrationsDir })
    assert.equal(check.fresh, false)
    assert.match(check.message, /notes\.rank/)
  })

  it('refuses a name that is not letters, digits, - and _', () => {
    declare()
    assert.throws(() => make('../evil'), /letters, digits/)
    assert.ok(!fs.existsSync(migrationsDir))
  })
})

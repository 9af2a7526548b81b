import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Domain } from '../../src/engine/domain'
import { DeclarationError, loadDeclarations } from '../../src/engine/declarations/load'

/** Writes YAML files into a fresh folder and loads them, returning the error message (or '' when valid). */
export const loadFiles = (files: Record<string, string>, domain?: Domain) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'decl-'))
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text)
  try {
    return { declarations: loadDeclarations(dir, domain), message: '' }
  } catch (error) {
    assert.ok(error instanceof DeclarationError, `expected a DeclarationError, got ${error}`)
    return { declarations: [], message: error.message }
  }
}

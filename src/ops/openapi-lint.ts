// `npm run lint:openapi`: writes the document GET /openapi.json serves to a temporary file and lints it with
// Redocly (redocly.yaml) and Spectral's OpenAPI rules (.spectral.yaml); any warning fails, so it stays clean.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import config from 'config'
import { loadDeclarations } from '../engine/declarations/load'
import { servedDocument } from './openapi'
import { domain } from '../contexts'

const run = (command: string, args: string[]) => {
  // No usage reports or update checks from a CI run.
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }
  const result = spawnSync(command, args, { stdio: 'inherit', env })
  return result.status === 0
}

const main = () => {
  const resources = loadDeclarations(config.get<string>('resourcesDir'), domain)
  // The contracts read only the configuration (the provider's accepted methods), not a server.
  const settings = { get: (key: string) => (config.has(key) ? config.get(key) : undefined) }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-lint-'))
  const file = path.join(dir, 'openapi.json')
  try {
    fs.writeFileSync(file, JSON.stringify(servedDocument(resources, settings), null, 2))
    const bin = (name: string) => path.join('node_modules', '.bin', name)
    const redocly = run(bin('redocly'), ['lint', '--config', 'redocly.yaml', '--max-problems', '1000', file])
    const spectral = run(bin('spectral'), [
      'lint',
      '--ruleset',
      '.spectral.yaml',
      '--fail-severity',
      'hint',
      file
    ])
    if (!redocly || !spectral) process.exitCode = 1
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main()

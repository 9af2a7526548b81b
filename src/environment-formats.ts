import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

// node-config parses an environment variable declared with `__format` while it loads: malformed JSON stops the
// process with a stack trace, and a number that is not one becomes NaN and the setting disappears ("must have
// required property"). Imported first by the entry points, this checks them before node-config reads them,
// names each wrong variable, and leaves it out so validateConfiguration reports it with every other problem.

/** One line per environment variable whose value does not parse as its `__format` says. */
export const environmentFormatProblems: string[] = []

// The JSON5 parser node-config itself uses for `"__format": "json"`.
const json5 = () => createRequire(require.resolve('config'))('json5') as { parse: (text: string) => unknown }

const check = (name: string, setting: string, format: string) => {
  const value = process.env[name]
  if (value === undefined || value === '') return
  let problem: string | undefined
  if (format === 'number' && !Number.isFinite(Number(value))) problem = 'is not a number'
  if (format === 'boolean' && !['true', 'false'].includes(value)) problem = 'is not true or false'
  if (format === 'json') {
    try {
      json5().parse(value)
    } catch (error: any) {
      problem = `is not valid JSON (${String(error.message).replace(/^JSON5: /, '')})`
    }
  }
  if (!problem) return
  environmentFormatProblems.push(`${name} (${setting}) ${problem}`)
  delete process.env[name]
}

const walk = (entry: any, setting: string[]) => {
  if (typeof entry?.__name === 'string' && typeof entry.__format === 'string') {
    check(entry.__name, setting.join('.'), entry.__format)
  } else if (entry && typeof entry === 'object') {
    for (const [key, value] of Object.entries(entry)) walk(value, [...setting, key])
  }
}

const file = path.join(
  process.env.NODE_CONFIG_DIR ?? path.join(process.cwd(), 'config'),
  'custom-environment-variables.json'
)
try {
  walk(JSON.parse(fs.readFileSync(file, 'utf8')), [])
} catch {
  // No such file: node-config reads no variables either.
}

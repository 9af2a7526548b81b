import fs from 'node:fs'
import path from 'node:path'
import prettier from 'prettier'
import { loadDeclarationSet } from '../engine/declarations/load'
import type { ResourceDeclaration } from '../engine/declarations/declaration'
import type { Vocabulary } from '../engine/declarations/vocabularies'
import { generateClient, generateServices, generateTypes } from '../engine/generators/typegen'
import { generateVocabularies } from '../engine/generators/typegen-vocabularies'
import { generateSdl } from '../engine/graphql/sdl'
import { domain } from '../contexts'

export interface GenerateOptions {
  /** Where the resource YAML lives; defaults to src/contexts. */
  resourcesDir?: string
  /** Where the generated modules and the GraphQL schema go; defaults to src/generated. */
  outDir?: string
  /** Compare instead of writing: nothing is touched, stale files are reported. */
  check?: boolean
}

export interface GenerateResult {
  /** Files written (always empty with `check`). */
  written: string[]
  /** Files whose content differs from what the declarations generate (or that are missing). */
  stale: string[]
}

export const STALE_MESSAGE = 'generated files are stale; run npm run generate'

// The project's style; a prettier config file, when there is one, wins so `prettier --check` agrees.
const STYLE: prettier.Options = { semi: false, singleQuote: true, printWidth: 110, trailingComma: 'none' }

const format = async (file: string, text: string) =>
  prettier.format(text, {
    ...STYLE,
    ...(await prettier.resolveConfig(file)),
    parser: file.endsWith('.graphql') ? 'graphql' : 'typescript'
  })

/** file name -> formatted source, for the given declarations. */
export const renderGenerated = async (
  resources: ResourceDeclaration[],
  outDir: string,
  vocabularies: Vocabulary[] = []
) => {
  const sources: Record<string, string> = {
    'vocabularies.ts': generateVocabularies(vocabularies),
    'types.ts': generateTypes(resources, domain.contracts, vocabularies),
    'services.ts': generateServices(resources),
    'client.ts': generateClient(resources, domain.contracts),
    'schema.graphql': generateSdl(resources, domain.contracts)
  }
  const rendered: Record<string, string> = {}
  for (const [name, text] of Object.entries(sources)) {
    const file = path.join(outDir, name)
    rendered[file] = await format(file, text)
  }
  return rendered
}

const readOrNull = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null)

/** Writes src/generated/{vocabularies,types,services,client}.ts and schema.graphql, or with `check` only reports which are out of date. */
export const generate = async ({
  resourcesDir = 'src/contexts',
  outDir = 'src/generated',
  check = false
}: GenerateOptions = {}): Promise<GenerateResult> => {
  const { resources, vocabularies } = loadDeclarationSet(resourcesDir, domain)
  const rendered = await renderGenerated(resources, outDir, vocabularies)
  const stale = Object.keys(rendered).filter((file) => readOrNull(file) !== rendered[file])
  if (check) return { written: [], stale }
  fs.mkdirSync(outDir, { recursive: true })
  // Only rewrite what changed, so watchers and mtimes stay quiet on a no-op run.
  for (const file of stale) fs.writeFileSync(file, rendered[file])
  return { written: stale, stale: [] }
}

/** For CI: throws naming every stale file, or resolves quietly. */
export const assertGeneratedFresh = async (options: Omit<GenerateOptions, 'check'> = {}) => {
  const { stale } = await generate({ ...options, check: true })
  if (stale.length) throw new Error(`${STALE_MESSAGE}:\n  ${stale.join('\n  ')}`)
}

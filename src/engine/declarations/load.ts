import fs from 'node:fs'
import path from 'node:path'
import { LineCounter, parseDocument, type Document } from 'yaml'
import type { ErrorObject } from 'ajv'
import { dataValidator } from '../validators'
import metaSchema from './meta-schema.json'
import type { ResourceDeclaration } from './declaration'
import { normalizeDeclaration } from './normalize'
import { checkDeclarations, type Problem } from './check'
import { relationsOf } from './relations'
import { emptyDomain, type Domain } from '../domain'
import { administrativeRoles, applyRoles, rolesMetaSchema, ROLES_FILE } from './roles'
import {
  readVocabularies,
  resolveVocabularies,
  vocabulariesMetaSchema,
  VOCABULARIES_FILE,
  type Vocabulary
} from './vocabularies'

export class DeclarationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid resource declarations:\n  ${problems.join('\n  ')}`)
    this.name = 'DeclarationError'
  }
}

const validateMeta = dataValidator.compile(metaSchema)
const validateRoles = dataValidator.compile(rolesMetaSchema)
const validateVocabularies = dataValidator.compile(vocabulariesMetaSchema)
/** The special files that declare no resource, each with its own schema. */
const specialFiles: Record<string, typeof validateMeta> = {
  [ROLES_FILE]: validateRoles,
  [VOCABULARIES_FILE]: validateVocabularies
}

interface ParsedFile {
  file: string
  doc: Document
  lines: LineCounter
}

/** `file:line path: message`, so an author can jump straight to the spot. */
const locate = ({ file, doc, lines }: ParsedFile, pointer: string[], message: string) => {
  let node: any
  for (let depth = pointer.length; depth >= 0 && !node?.range; depth--)
    node = doc.getIn(pointer.slice(0, depth), true)
  const line = node?.range ? `:${lines.linePos(node.range[0]).line}` : ''
  return `${file}${line} /${pointer.join('/')}: ${message}`
}

const describeAjvError = (error: ErrorObject) => {
  if (error.keyword === 'additionalProperties') return `unknown property '${error.params.additionalProperty}'`
  if (error.keyword === 'enum')
    return `${error.message}: ${(error.params.allowedValues as unknown[]).join(', ')}`
  return error.message ?? error.keyword
}

const metaProblems = (parsed: ParsedFile, data: unknown, validate = validateMeta): string[] => {
  if (validate(data)) return []
  // oneOf failures repeat every branch's complaint; the most specific (deepest) ones are the useful ones.
  const errors = (validate.errors ?? []).filter(
    (error) => error.keyword !== 'oneOf' && error.keyword !== 'if'
  )
  const deepest = Math.max(...errors.map((error) => error.instancePath.split('/').length))
  const shown = errors.filter(
    (error) => error.instancePath.split('/').length === deepest || errors.length < 4
  )
  return [
    ...new Set(shown.map((e) => locate(parsed, e.instancePath.split('/').slice(1), describeAjvError(e))))
  ]
}

/** What the declarations say: the resources, the roles that run the platform (`_roles.yaml`), the vocabularies. */
export interface DeclarationSet {
  resources: ResourceDeclaration[]
  /** Roles declared `administrative: true`; none without a roles file (test fixtures). */
  administrativeRoles: string[]
  /** The shared lists of `_vocabularies.yaml` (`currencies`); none without that file. */
  vocabularies: Vocabulary[]
}

/**
 * Reads every `*.yaml` under `dir` (each context keeps its declarations in its own folder: src/contexts/<name>/),
 * checks it, and returns the normalized declarations or throws naming every problem.
 */
export const loadDeclarations = (dir: string, domain: Domain = emptyDomain): ResourceDeclaration[] =>
  loadDeclarationSet(dir, domain).resources

/** `loadDeclarations`, with the roles file's administrative roles. */
export const loadDeclarationSet = (dir: string, domain: Domain = emptyDomain): DeclarationSet => {
  const files = (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((name) => /\.ya?ml$/.test(name) && !name.split(path.sep).includes('test'))
    .sort()
  const problems: string[] = []
  const parsed: ParsedFile[] = []
  for (const name of files) {
    const file = path.join(dir, name)
    const lines = new LineCounter()
    const doc = parseDocument(fs.readFileSync(file, 'utf8'), { lineCounter: lines, uniqueKeys: true })
    const entry = { file, doc, lines }
    if (doc.errors.length) {
      problems.push(...doc.errors.map((error) => `${file}: ${error.message.split('\n')[0]}`))
      continue
    }
    const fileProblems = metaProblems(entry, doc.toJS(), specialFiles[path.basename(name)] ?? validateMeta)
    problems.push(...fileProblems)
    if (!fileProblems.length) parsed.push(entry)
  }
  if (problems.length) throw new DeclarationError(problems)

  const byFile = new Map(parsed.map((entry) => [entry.file, entry]))
  const special = (name: string) => parsed.find((entry) => path.basename(entry.file) === name)
  const rolesEntry = special(ROLES_FILE)
  const vocabulariesEntry = special(VOCABULARIES_FILE)
  const declarations = parsed
    .filter((entry) => !Object.hasOwn(specialFiles, path.basename(entry.file)))
    .map(({ file, doc }) => normalizeDeclaration(doc.toJS(), file))
  const { vocabularies, problems: vocabularyProblems } = vocabulariesEntry
    ? readVocabularies(vocabulariesEntry.doc.toJS(), vocabulariesEntry.file)
    : { vocabularies: [], problems: [] }
  const located = (list: Problem[]) =>
    list.map(({ file, pointer, message }) => locate(byFile.get(file)!, pointer, message))
  // The cross-checks read an enum's values, so they wait until every vocabulary name resolves.
  problems.push(...located([...vocabularyProblems, ...resolveVocabularies(declarations, vocabularies)]))
  if (problems.length) throw new DeclarationError(problems)
  const nameClash = new Map<string, string>()
  for (const declaration of declarations) {
    const other = nameClash.get(declaration.name)
    if (other)
      problems.push(`${declaration.file} /name: '${declaration.name}' is already declared in ${other}`)
    nameClash.set(declaration.name, declaration.file)
  }
  // Without a roles file (test fixtures) any role name is accepted.
  const roleProblems = rolesEntry
    ? applyRoles(declarations, rolesEntry.doc.toJS().roles, rolesEntry.file)
    : []
  problems.push(...located([...roleProblems, ...checkDeclarations(declarations, domain)]))
  if (problems.length) throw new DeclarationError(problems)
  for (const declaration of declarations) declaration.relations = relationsOf(declaration, declarations)
  const roles = rolesEntry ? administrativeRoles(rolesEntry.doc.toJS().roles) : []
  return { resources: declarations, administrativeRoles: roles, vocabularies }
}

import fs from 'node:fs'
import path from 'node:path'
import { LineCounter, parseDocument, type Document } from 'yaml'
import type { ErrorObject } from 'ajv'
import { dataValidator } from '../validators'
import metaSchema from '../../config/resources/meta-schema.json'
import type { ResourceDeclaration } from './declaration'
import { normalizeDeclaration } from './normalize'
import { checkDeclarations, type Problem } from './check'

export class DeclarationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid resource declarations:\n  ${problems.join('\n  ')}`)
    this.name = 'DeclarationError'
  }
}

const validateMeta = dataValidator.compile(metaSchema)

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

const metaProblems = (parsed: ParsedFile, data: unknown): string[] => {
  if (validateMeta(data)) return []
  // oneOf failures repeat every branch's complaint; the most specific (deepest) ones are the useful ones.
  const errors = (validateMeta.errors ?? []).filter(
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

/** Reads every `*.yaml` in `dir`, checks it, and returns the normalized declarations or throws naming every problem. */
export const loadDeclarations = (dir: string): ResourceDeclaration[] => {
  const files = fs
    .readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
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
    const fileProblems = metaProblems(entry, doc.toJS())
    problems.push(...fileProblems)
    if (!fileProblems.length) parsed.push(entry)
  }
  if (problems.length) throw new DeclarationError(problems)

  const byFile = new Map(parsed.map((entry) => [entry.file, entry]))
  const declarations = parsed.map(({ file, doc }) => normalizeDeclaration(doc.toJS(), file))
  const nameClash = new Map<string, string>()
  for (const declaration of declarations) {
    const other = nameClash.get(declaration.name)
    if (other)
      problems.push(`${declaration.file} /name: '${declaration.name}' is already declared in ${other}`)
    nameClash.set(declaration.name, declaration.file)
  }
  problems.push(
    ...checkDeclarations(declarations).map(({ file, pointer, message }: Problem) =>
      locate(byFile.get(file)!, pointer, message)
    )
  )
  if (problems.length) throw new DeclarationError(problems)
  return declarations
}

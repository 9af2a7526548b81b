import { GraphQLError } from 'graphql'

/**
 * Brackets a document may nest before it is parsed. graphql-js parses by recursion, so a few thousand nested
 * `{` overflow the stack within the size limit; no operation the depth limit lets run comes near this.
 */
export const MAX_NESTING = 128

/** How deep `{`, `[` and `(` nest, outside strings, block strings and comments; stops counting past `limit`. */
export const nestingOf = (text: string, limit = MAX_NESTING) => {
  let depth = 0
  let deepest = 0
  for (let i = 0; i < text.length && deepest <= limit; i++) {
    const char = text[i]
    if (char === '#') {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++
    } else if (text.startsWith('"""', i)) {
      i += 3
      while (i < text.length && !text.startsWith('"""', i)) i += text.startsWith('\\"""', i) ? 4 : 1
      i += 2
    } else if (char === '"') {
      i++
      while (i < text.length && text[i] !== '"' && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1
    } else if (char === '{' || char === '[' || char === '(') {
      deepest = Math.max(deepest, ++depth)
    } else if (char === '}' || char === ']' || char === ')') {
      depth--
    }
  }
  return deepest
}

/** Why a document is refused before it is parsed (too large, or nested too deep), or undefined. */
export const refuseDocument = (query: unknown, maxDocumentBytes: number): GraphQLError[] | undefined => {
  const text = typeof query === 'string' ? query : ''
  if (Buffer.byteLength(text) > maxDocumentBytes)
    return [
      new GraphQLError(`The document is larger than ${maxDocumentBytes} bytes`, {
        extensions: { code: 'DOCUMENT_TOO_LARGE', status: 413 }
      })
    ]
  if (nestingOf(text) > MAX_NESTING)
    return [
      new GraphQLError(`The document nests brackets more than ${MAX_NESTING} levels deep`, {
        extensions: { code: 'DOCUMENT_TOO_DEEP', status: 400 }
      })
    ]
}

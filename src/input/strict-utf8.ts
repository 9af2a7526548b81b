import { isUtf8 } from 'node:buffer'
import { createRequire } from 'node:module'
import { invalidInput } from './limits'

/** The encoding the body parser is told to read JSON in (see `registerStrictUtf8`). */
export const STRICT_UTF8 = 'utf8strict'

/** What the decoder returns for bytes that are not UTF-8: no JSON text starts so, so the parse fails with it. */
const NOT_UTF8 = '\u0000not-utf-8'

/** Collects the body (at most the parser's limit) and decodes it once whole: UTF-8, or NOT_UTF8. */
class Decoder {
  private chunks: Buffer[] = []
  write(chunk: Buffer) {
    this.chunks.push(chunk)
    return ''
  }
  end() {
    const bytes = Buffer.concat(this.chunks)
    this.chunks = []
    if (!isUtf8(bytes)) return NOT_UTF8
    // JSON texts may start with a byte order mark; the default decoder dropped it too.
    return bytes.toString('utf8').replace(/^\uFEFF/, '')
  }
}

class Codec {
  decoder = Decoder
  encoder = class {
    write = (text: string) => Buffer.from(text, 'utf8')
    end = () => undefined
  }
}

/**
 * The body parser (co-body, through raw-body) decodes with iconv-lite, which turns bytes that are not UTF-8 into
 * U+FFFD without a word: text was stored changed. Registered as an encoding of the iconv-lite that raw-body
 * uses, this decoder lets such a body fail to parse, and `notUtf8` recognises that failure.
 */
export const registerStrictUtf8 = () => {
  const rawBody = createRequire(require.resolve('co-body')).resolve('raw-body')
  const iconv = createRequire(rawBody)('iconv-lite')
  iconv.getCodec('utf8') // loads the encoding table, which is filled lazily
  iconv.encodings[STRICT_UTF8] = Codec
}

/** The body parser's error for a body that is not UTF-8, as a 400 saying so; undefined for any other error. */
export const notUtf8 = (error: any) =>
  error?.body === NOT_UTF8
    ? invalidInput('data', [], 'is not valid UTF-8 (JSON bodies are UTF-8: RFC 8259)')
    : undefined

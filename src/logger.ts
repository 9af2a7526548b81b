import path from 'node:path'
import pino, { type Logger } from 'pino'

// Secrets never reach a log line, whatever object gets logged.
export const redactedPaths = [
  'password',
  '*.password',
  'accessToken',
  '*.accessToken',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'headers["x-api-key"]',
  'refreshToken',
  '*.refreshToken',
  'currentPassword',
  '*.currentPassword',
  'key',
  '*.key',
  'keyHash',
  '*.keyHash',
  'refreshSalt',
  '*.refreshSalt'
]

export interface LoggerConfig {
  level: string
  /** When set, logs also go to daily files here (`api.<date>.1.log`), the last 30 days kept. */
  dir?: string
  keepDays?: number
}

export const createLogger = ({ level, dir, keepDays = 30 }: LoggerConfig) => {
  const options = { level, redact: { paths: redactedPaths, censor: '[redacted]' } }
  // Asynchronous stdout: lines written while a write is in flight go out together in the next one, instead of
  // one blocking write per request. pino flushes what is left when the process exits.
  if (!dir || level === 'silent') return pino(options, pino.destination({ dest: 1, sync: false }))
  const transport = pino.transport({
    targets: [
      { target: 'pino/file', level, options: { destination: 1 } },
      {
        target: 'pino-roll',
        level,
        options: {
          file: path.join(path.resolve(dir), 'api'),
          frequency: 'daily',
          dateFormat: 'yyyy-MM-dd',
          extension: '.log',
          mkdir: true,
          limit: { count: keepDays }
        }
      }
    ]
  })
  return pino(options, transport)
}

const requestLoggers = new WeakMap<Logger, Logger>()

/**
 * For the one line per request only: it holds fields the server picks itself (request id, identity, method,
 * path without the query, status, duration), never a body, header or query string, so it skips the redaction
 * pass, which costs about 3 % of a small request. Everything else goes through the redacting logger.
 */
export const requestLogger = (logger: Logger) => {
  let lines = requestLoggers.get(logger)
  if (!lines) requestLoggers.set(logger, (lines = logger.child({}, { redact: [] })))
  return lines
}

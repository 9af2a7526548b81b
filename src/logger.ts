import pino from 'pino'

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

export const createLogger = (level: string) =>
  pino({ level, redact: { paths: redactedPaths, censor: '[redacted]' } })

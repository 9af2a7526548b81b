import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { causeOf, makeDirectories } from '../database/open-errors'

/** A random secret for refresh tokens and API keys (256 bits, URL-safe). */
export const newSecret = () => randomBytes(32).toString('base64url')

/** Secrets are high-entropy, so a fast hash is enough to store them (unlike passwords). */
export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex')

export const sameHash = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))

// Secrets committed in config/*.json are public: fine for tests, never trusted elsewhere. In development the
// server replaces them with secrets of its own, made on first start and kept under the data directory.

/** Every secret setting, with the environment variable that sets it. */
export const SECRET_SETTINGS: Record<string, string> = {
  'authentication.secret': 'JWT_SECRET',
  'payments.webhookSecret': 'PAYMENT_WEBHOOK_SECRET'
}

const configDir = () => process.env.NODE_CONFIG_DIR ?? path.join(process.cwd(), 'config')
const configFiles = () => {
  try {
    return fs.readdirSync(configDir()).filter((name) => name.endsWith('.json'))
  } catch {
    return []
  }
}
const readJson = (name: string) => {
  try {
    return JSON.parse(fs.readFileSync(path.join(configDir(), name), 'utf8'))
  } catch {
    return {}
  }
}
const at = (object: any, setting: string) => setting.split('.').reduce((value, key) => value?.[key], object)

/** The environment variable of a setting (`port` -> `PORT`), from config/custom-environment-variables.json. */
export const environmentVariableOf = (setting: string): string | undefined => {
  const entry = at(readJson('custom-environment-variables.json'), setting)
  return typeof entry === 'string' ? entry : typeof entry?.__name === 'string' ? entry.__name : undefined
}

/** Whether `value` is what some config/*.json file commits for the secret `setting`. */
export const isPublishedSecret = (setting: string, value: string) =>
  configFiles().some((name) => at(readJson(name), setting) === value)

/** This installation's own secrets, made once (mode 0600) and read again on later starts. */
const installationSecrets = (dataDir: string): Record<string, string> => {
  if (dataDir === 'memory://') return {}
  const file = path.join(dataDir, 'secrets.json')
  const fresh = Object.fromEntries(Object.keys(SECRET_SETTINGS).map((setting) => [setting, newSecret()]))
  const named = (error: unknown) =>
    new Error(`DATA_DIR (database.dataDir) ${path.resolve(file)}: ${causeOf(error)}`)
  try {
    makeDirectories(dataDir)
    // 'wx': a second process starting at the same moment reads the first one's secrets instead.
    fs.writeFileSync(file, JSON.stringify(fresh, null, 2), { flag: 'wx', mode: 0o600 })
    return fresh
  } catch (error: any) {
    if (error.code !== 'EEXIST') throw named(error)
  }
  try {
    return { ...fresh, ...JSON.parse(fs.readFileSync(file, 'utf8')) }
  } catch (error) {
    // E.g. empty after a crash or a full disk while it was written: new secrets only log everyone out.
    throw new Error(`${named(error).message} (remove the file to make new secrets)`)
  }
}

/**
 * In development, a secret still at its published default is replaced by this installation's: tokens and
 * webhooks signed with the repository's secrets are refused. Tests keep the published ones.
 */
export const useInstallationSecrets = (
  app: { get: (name: any) => any; set: (name: any, value: any) => any },
  env = 'development'
) => {
  if (env !== 'development') return
  const published = Object.keys(SECRET_SETTINGS).filter((setting) => {
    const [group, key] = setting.split('.')
    return isPublishedSecret(setting, app.get(group)?.[key])
  })
  if (!published.length) return
  const own = installationSecrets(app.get('database').dataDir)
  for (const setting of published) {
    const [group, key] = setting.split('.')
    app.set(group, { ...app.get(group), [key]: own[setting] ?? newSecret() })
  }
}

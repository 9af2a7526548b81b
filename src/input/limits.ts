import { BadRequest } from '@feathersjs/errors'

/** Bounds on what one body, query or id may contain (config `limits`), checked before any validation. */
export interface InputLimits {
  /** Nesting depth of objects and arrays (the body or query itself is depth 1). */
  maxDepth: number
  /** Keys of one object. */
  maxKeys: number
  /** Keys of all objects and items of all arrays together. */
  maxTotalKeys: number
  /** Items of one array (`$in`, `$nin`, order items, …). */
  maxArrayLength: number
  /** Characters of one string or key. */
  maxStringLength: number
}

export const defaultInputLimits: InputLimits = {
  maxDepth: 8,
  maxKeys: 100,
  maxTotalKeys: 1000,
  maxArrayLength: 100,
  maxStringLength: 65_536
}

// Field paths are echoed in messages: control characters in a key are shown escaped.
const shown = (path: string[]) =>
  path.join('.').replace(/\p{Cc}/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) || '(root)'

export const invalidInput = (what: string, path: string[], message: string, limit?: keyof InputLimits) => {
  const field = shown(path)
  return new BadRequest(`Invalid ${what}: ${field} ${message}`, {
    errors: [{ field, message }],
    ...(limit && { limit })
  })
}

/** PostgreSQL refuses NUL in text, so it never gets that far. */
const hasNul = (text: string) => text.includes('\u0000')

// A lone UTF-16 surrogate has no UTF-8 form: text columns would store U+FFFD instead, jsonb refuses it.
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/** Why PostgreSQL could not store this text as sent, or undefined. */
export const unstorable = (text: string) => {
  if (hasNul(text)) return 'must not contain NUL characters (\\u0000)'
  if (loneSurrogate.test(text)) return 'must be valid Unicode (a lone surrogate such as \\ud800 is not)'
  return undefined
}

/**
 * One walk over a decoded body or query, stopping at the first value beyond a limit or holding a NUL: the work
 * any input can cause later (validation reports one error per unknown key) stays bounded.
 */
export const checkInput = (value: unknown, limits: InputLimits, what: string) => {
  let totalKeys = 0
  const fail = (path: string[], message: string, limit?: keyof InputLimits) => {
    throw invalidInput(what, path, message, limit)
  }
  // Arrays of arrays would otherwise multiply their items unseen by the per-array limit.
  const countKeys = (count: number) => {
    totalKeys += count
    if (totalKeys > limits.maxTotalKeys)
      fail(
        [],
        `has more than ${limits.maxTotalKeys} keys and items in all (limits.maxTotalKeys)`,
        'maxTotalKeys'
      )
  }
  const visit = (node: unknown, path: string[], depth: number): void => {
    if (typeof node === 'string') {
      if (node.length > limits.maxStringLength)
        fail(
          path,
          `is longer than ${limits.maxStringLength} characters (limits.maxStringLength)`,
          'maxStringLength'
        )
      const problem = unstorable(node)
      if (problem) fail(path, problem)
      return
    }
    if (node === null || typeof node !== 'object') return
    if (depth > limits.maxDepth)
      fail(path, `is nested deeper than ${limits.maxDepth} levels (limits.maxDepth)`, 'maxDepth')
    if (Array.isArray(node)) {
      if (node.length > limits.maxArrayLength)
        fail(path, `has more than ${limits.maxArrayLength} items (limits.maxArrayLength)`, 'maxArrayLength')
      countKeys(node.length)
      node.forEach((item, index) => visit(item, [...path, String(index)], depth + 1))
      return
    }
    // A socket query's `__proto__` key has already become its prototype: refused as that key.
    const prototype = Object.getPrototypeOf(node)
    if (prototype !== Object.prototype && prototype !== null && !Buffer.isBuffer(node))
      fail([...path, '__proto__'], 'is not allowed')
    const keys = Object.keys(node)
    if (keys.length > limits.maxKeys)
      fail(path, `has more than ${limits.maxKeys} keys (limits.maxKeys)`, 'maxKeys')
    countKeys(keys.length)
    for (const key of keys) {
      if (key.length > limits.maxStringLength)
        fail(
          path,
          `has a key longer than ${limits.maxStringLength} characters (limits.maxStringLength)`,
          'maxStringLength'
        )
      const problem = unstorable(key)
      if (problem) fail([...path, key], `is a key that ${problem}`)
      // Object.assign (Feathers' socket queries) would make it the object's prototype.
      if (key === '__proto__') fail([...path, key], 'is not allowed')
      visit((node as Record<string, unknown>)[key], [...path, key], depth + 1)
    }
  }
  visit(value, [], 1)
}

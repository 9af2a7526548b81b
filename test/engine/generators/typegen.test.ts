import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import ts from 'typescript'
import { generate, renderGenerated } from '../../../src/cli/generate'
import {
  METHODS,
  type FieldDeclaration,
  type ResourceDeclaration
} from '../../../src/engine/declarations/declaration'
import { loadDeclarations, loadDeclarationSet } from '../../../src/engine/declarations/load'
import type { Vocabulary } from '../../../src/engine/declarations/vocabularies'
import {
  GENERATED_HEADER,
  generateClient,
  generateServices,
  generateTypes,
  typeName
} from '../../../src/engine/generators/typegen'
import { generateVocabularies } from '../../../src/engine/generators/typegen-vocabularies'
import { domain } from '../../../src/contexts'

const root = path.resolve(__dirname, '../../..')

const resource = (
  name: string,
  fields: Record<string, FieldDeclaration>,
  extra: Partial<ResourceDeclaration> = {}
) =>
  ({
    name,
    path: name,
    table: name.replace(/-/g, '_'),
    fields,
    query: { filter: [], sort: [], paginate: { default: 20, max: 100 } },
    softDelete: false,
    realtime: true,
    access: Object.fromEntries(METHODS.map((method) => [method, {}])),
    file: `${name}.yaml`,
    ...extra
  }) as ResourceDeclaration

const users = resource(
  'users',
  {
    id: { type: 'id' },
    email: { type: 'string', format: 'email', description: 'Where we write to' },
    password: { type: 'password', hidden: true },
    name: { type: 'string', optional: true },
    roles: {
      type: 'json',
      schema: { type: 'array', items: { enum: ['admin', 'customer'] } },
      default: ['customer'],
      readonly: true
    },
    createdAt: { type: 'createdAt' }
  },
  { query: { filter: ['email', 'name'], sort: ['email', 'createdAt'], paginate: { default: 20, max: 100 } } }
)

const orderItems = resource(
  'order-items',
  {
    id: { type: 'id' },
    userId: { type: 'ref', to: 'users' },
    status: { type: 'enum', values: ['open', "it's done"], default: 'open' },
    quantity: { type: 'integer', min: 1 },
    price: { type: 'number', optional: true },
    gift: { type: 'boolean', default: false },
    options: {
      type: 'json',
      optional: true,
      schema: {
        type: 'object',
        properties: { colour: { type: 'string' }, 'gift-wrap': { type: 'boolean' } },
        required: ['colour'],
        additionalProperties: false
      }
    },
    anything: { type: 'json', optional: true },
    version: { type: 'version' }
  },
  {
    softDelete: true,
    query: { filter: ['status', 'quantity', 'userId'], sort: ['quantity'], paginate: false }
  }
)

const currencyVocabulary: Vocabulary = {
  name: 'currencies',
  description: 'Money',
  values: ['KRW', 'USD', 'EUR'],
  attributes: { digits: { KRW: 0, USD: 2, EUR: 2 } }
}

/** The body of one generated interface, whitespace-normalized, so assertions read like the source. */
const body = (text: string, name: string) => {
  const match = new RegExp(`export interface ${name} \\{\\n([\\s\\S]*?)\\n\\}`).exec(text)
  assert.ok(match, `interface ${name} is generated`)
  return match[1].replace(/\s+/g, ' ').trim()
}

/** Compiles generated files for `resources` (in a virtual folder `dir`) with `extra` files; the diagnostics. */
const compileErrors = async (
  resources: ResourceDeclaration[],
  dir: string,
  extra: Record<string, string>
) => {
  // Only the TypeScript modules: the GraphQL schema (schema.graphql) is not the compiler's.
  const generated = Object.entries(await renderGenerated(resources, dir)).filter(([file]) =>
    file.endsWith('.ts')
  )
  const files: Record<string, string> = { ...Object.fromEntries(generated), ...extra }
  const config = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile)
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root)
  const host = ts.createCompilerHost(options)
  const { fileExists, readFile } = host
  host.fileExists = (file) => file in files || fileExists.call(host, file)
  host.readFile = (file) => files[file] ?? readFile.call(host, file)
  // The virtual folder does not exist on disk; module resolution asks before looking inside.
  host.directoryExists = (folder) => folder === dir || ts.sys.directoryExists(folder)
  const getSourceFile = host.getSourceFile
  host.getSourceFile = (file, language, ...rest) =>
    file in files
      ? ts.createSourceFile(file, files[file], language)
      : getSourceFile.call(host, file, language, ...rest)
  const program = ts.createProgram({
    rootNames: Object.keys(files),
    options: { ...options, noEmit: true },
    host
  })
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => !d.file || d.file.fileName in files)
    .map((d) => `${d.file?.fileName}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)
}

describe('engine/typegen: generated types and service maps', () => {
  const types = generateTypes([users, orderItems])

  it('names types in singular PascalCase', () => {
    assert.equal(typeName('users'), 'User')
    assert.equal(typeName('categories'), 'Category')
    assert.equal(typeName('addresses'), 'Address')
    assert.equal(typeName('order-items'), 'OrderItem')
    assert.equal(typeName('boss'), 'Boss')
    for (const name of ['OrderItem', 'OrderItemData', 'OrderItemPatch', 'OrderItemQuery']) {
      assert.match(types, new RegExp(`export interface ${name} \\{`))
    }
  })

  it('starts every file with the do-not-edit header', () => {
    for (const text of [types, generateServices([users]), generateClient([users])]) {
      assert.ok(text.startsWith('// Generated by `npm run generate` from src/contexts — do not edit.\n'))
    }
  })

  it('leaves hidden fields out of the result record but accepts them as data', () => {
    const user = body(types, 'User')
    assert.doesNotMatch(user, /password/)
    assert.match(body(types, 'UserData'), /password: string/)
    assert.match(body(types, 'UserPatch'), /password\?: string/)
    assert.doesNotMatch(body(types, 'UserQuery'), /'password'/, '$select offers no hidden field')
  })

  it('types result fields: optional as nullable, enums as unions, server-set fields as number/string', () => {
    const user = body(types, 'User')
    assert.match(user, /id: number/)
    assert.match(user, /name: string \| null/)
    assert.match(user, /roles: \('admin' \| 'customer'\)\[\]/)
    assert.match(user, /\/\*\* \* Where we write to \* @format email \*\/ email: string/)
    assert.match(user, /createdAt: string/)
    const item = body(types, 'OrderItem')
    assert.match(item, /status: 'open' \| 'it\\'s done'/)
    assert.match(item, /userId: number/)
    assert.match(item, /price: number \| null/)
    assert.match(item, /options: \{ colour: string; 'gift-wrap'\?: boolean \} \| null/)
    assert.match(item, /anything: unknown/)
    assert.match(item, /version: number/)
    assert.match(item, /deletedAt: string \| null/, 'soft-deleted resources expose deletedAt')
  })

  it('makes create data required exactly where the validator does; server-set fields are absent', () => {
    const data = body(types, 'OrderItemData')
    assert.match(data, /userId: number/)
    assert.match(data, /quantity: number/)
    assert.match(data, /status\?: 'open'/, 'a default makes a field optional')
    assert.match(data, /price\?: number \| null/)
    assert.doesNotMatch(data, /\bid\b|version|deletedAt/)
    assert.doesNotMatch(body(types, 'UserData'), /createdAt/)
  })

  it('marks readonly fields in data and patch', () => {
    assert.match(body(types, 'UserData'), /\/\*\* Readonly: [^*]*\*\/ roles\?: \('admin' \| 'customer'\)\[\]/)
    assert.match(body(types, 'UserPatch'), /\/\*\* Readonly: [^*]*\*\/ roles\?:/)
  })

  it('makes patch all-optional, with version as a precondition where the resource has one', () => {
    const patch = body(types, 'OrderItemPatch')
    assert.match(patch, /userId\?: number/)
    assert.match(patch, /quantity\?: number/)
    assert.match(patch, /\/\*\* Expected current version \*\/ version\?: number/)
    assert.doesNotMatch(body(types, 'UserPatch'), /version/)
  })

  it('types the query: declared filters with their operators, $limit, $skip, $sort and $select', () => {
    const query = body(types, 'UserQuery')
    assert.match(
      query,
      /email\?: string \| \{ \$in\?: string\[\]; \$nin\?: string\[\]; \$ne\?: string; \$lt\?: string/
    )
    assert.doesNotMatch(query, /roles\?:/, 'an undeclared filter is not offered')
    assert.match(query, /\$limit\?: number/)
    assert.match(query, /\$skip\?: number/)
    assert.match(query, /\$sort\?: \{ email\?: 1 \| -1; createdAt\?: 1 \| -1 \}/)
    assert.match(query, /\$select\?: \('id' \| 'email' \| 'name' \| 'roles' \| 'createdAt'\)\[\]/)
    const items = body(types, 'OrderItemQuery')
    assert.match(items, /status\?: 'open' \| 'it\\'s done' \| \{ \$in\?: \('open' \| 'it\\'s done'\)\[\]/)
    assert.match(items, /userId\?: number \| \{ \$in\?: number\[\]; \$nin\?: number\[\]; \$ne\?: number \}/)
    assert.doesNotMatch(items, /\$ilike/)
  })

  it('keys the server and client maps by path, quoting kebab-case', () => {
    const services = generateServices([users, orderItems])
    assert.match(services, /import type \{ TypedService \} from '..\/engine\/runtime\/typed-service'/)
    assert.match(
      services,
      /import type \{ User, UserData, UserPatch, OrderItem, OrderItemData, OrderItemPatch \} from '.\/types'/
    )
    assert.match(
      services,
      /users: TypedService<User, UserData, UserPatch, 'page'>\n {2}'order-items': TypedService<OrderItem, OrderItemData, OrderItemPatch, 'list'>/
    )
    const client = generateClient([users, orderItems])
    assert.match(client, /users: ResourceClient<User, UserData, UserPatch, UserQuery, 'page'>/)
    assert.match(
      client,
      /'order-items': ResourceClient<OrderItem, OrderItemData, OrderItemPatch, OrderItemQuery, 'list'>/,
      'an unpaginated resource finds plain arrays'
    )
    assert.match(client, /export type ClientApplication = Application<ClientServiceTypes>/)
    assert.doesNotMatch(client, /^(const|let|function|export (const|function|default))/m, 'types only')
  })

  it('refuses two resources that would print the same type name', () => {
    const userData = resource('user-data', { id: { type: 'id' } })
    assert.throws(() => generateTypes([users, userData]), /would generate type UserData/)
    const currencies = resource('currencies', { id: { type: 'id' } })
    assert.throws(
      () => generateTypes([currencies], {}, [currencyVocabulary]),
      /would generate type Currency, already taken by vocabulary 'currencies'/
    )
    assert.throws(() => generateClient([resource('applications', {})]), /would generate type Application\b/)
  })

  it('compiles, with the TypeScript compiler, into types a Feathers client and the server accept', async function () {
    this.timeout(60000)
    const dir = path.join(root, 'src', '__typegen_test__')
    const files: Record<string, string> = {}
    // How a browser client uses the map; the @ts-expect-error lines prove the types are not `any`.
    files[path.join(dir, 'usage.ts')] = `
      import { feathers } from '@feathersjs/feathers'
      import socketio from '@feathersjs/socketio-client'
      import { io } from 'socket.io-client'
      import type { ClientApplication, ClientServiceTypes, OrderItem, User } from './client'
      import type { ServiceTypes } from './services'

      export const check = async () => {
        const app: ClientApplication = feathers<ClientServiceTypes>()
        app.configure(socketio(io('http://localhost:3030')))
        const page = await app.service('users').find({ query: { email: { $in: ['a@b.c'] }, $sort: { email: -1 } } })
        const user: User = page.data[0]
        const items: OrderItem[] = await app.service('order-items').find({ query: { status: "it's done" } })
        await app.service('order-items').patch(items[0].id, { quantity: 2, version: items[0].version })
        await app.service('users').create({ email: 'a@b.c', password: 'secret-password' })
        // @ts-expect-error hidden fields are not part of the result
        user.password
        // @ts-expect-error unknown enum values are rejected
        await app.service('order-items').find({ query: { status: 'nope' } })
        // @ts-expect-error create data needs its required fields
        await app.service('users').create({ name: 'x' })
        // @ts-expect-error undeclared filters are rejected
        await app.service('users').find({ query: { roles: 'admin' } })
        const server: Partial<ServiceTypes> = {}
        return [user.email, server]
      }
    `
    assert.deepEqual(await compileErrors([users, orderItems], dir, files), [])
  })

  it('types what clients read: order items, the one-time API key, $select answers as Pick', async function () {
    this.timeout(60000)
    const declared = loadDeclarations(path.join(root, 'src/contexts'), domain)
    const types = generateTypes(declared, domain.contracts)
    assert.match(body(types, 'Order'), /items: \{ id: number; productId: number; sku: string; name: string;/)
    assert.match(body(types, 'OrderData'), /items: \{ productId: number; quantity: number \}\[\]/, 'required')
    assert.match(types, /export interface ApiKeyCreated extends ApiKey \{\n[^}]*\n {2}key: string\n\}/)
    assert.doesNotMatch(body(types, 'ApiKey'), /\bkey:/)
    const client = generateClient(declared, domain.contracts)
    assert.match(
      client,
      /orders: ResourceClient<Order, OrderData, OrderPatch, OrderQuery, 'page', Order, 'items'>/
    )
    assert.match(
      client,
      /'api-keys': ResourceClient<ApiKey, ApiKeyData, ApiKeyPatch, ApiKeyQuery, 'page', ApiKeyCreated>/
    )
    const dir = path.join(root, 'src', '__typegen_contract__')
    const usage = `
      import { feathers } from '@feathersjs/feathers'
      import type { ApiKeyCreated, ClientApplication, ClientServiceTypes, Order } from './client'

      export const check = async () => {
        const app: ClientApplication = feathers<ClientServiceTypes>()
        const order: Order = await app.service('orders').get(1)
        const lines: { sku: string; lineTotalCents: number }[] = order.items
        const key: ApiKeyCreated = await app.service('api-keys').create({ name: 'n', scopes: [{ resource: 'products' }] })
        const secret: string = key.key
        const listed = await app.service('api-keys').get(key.id)
        // @ts-expect-error a listed key has no secret
        listed.key
        const page = await app.service('users').find({ query: { $select: ['name'] } })
        const named: { id: number; name: string } = page.data[0]
        // @ts-expect-error not selected
        page.data[0].email
        const one = await app.service('orders').get(1, { query: { $select: ['status'] } })
        const kept: { id: number; status: string; items: unknown[] } = one
        // @ts-expect-error not selected
        one.totalCents
        const whole = await app.service('users').find({ query: { name: 'x' } })
        const email: string = whole.data[0].email
        const lines2 = await app.service('order-items').find({ query: { $select: ['sku'] } })
        const sku: string = lines2.data[0].sku
        // @ts-expect-error an order needs its items
        await app.service('orders').create({ note: 'no lines' })
        // @ts-expect-error only declared fields can be selected
        await app.service('users').find({ query: { $select: ['password'] } })
        return [lines, secret, named, kept, email, sku]
      }
    `
    assert.deepEqual(await compileErrors(declared, dir, { [path.join(dir, 'usage.ts')]: usage }), [])
  })

  it('prints each vocabulary as a constant, its type and one table per attribute', () => {
    const text = generateVocabularies([
      currencyVocabulary,
      { name: 'paymentMethods', values: ['card', "it's cash"], attributes: {} }
    ])
    assert.ok(text.startsWith(GENERATED_HEADER))
    assert.match(text, /\/\*\* Money \*\/\nexport const CURRENCIES = \['KRW', 'USD', 'EUR'\] as const/)
    assert.match(text, /export type Currency = \(typeof CURRENCIES\)\[number\]/)
    assert.match(
      text,
      /export const CURRENCY_DIGITS: Readonly<Record<Currency, number>> = \{ 'KRW': 0, 'USD': 2, 'EUR': 2 \}/
    )
    assert.match(text, /export const PAYMENT_METHODS = \['card', 'it\\'s cash'\] as const/)
    assert.match(text, /export type PaymentMethod = \(typeof PAYMENT_METHODS\)\[number\]/)
    assert.equal(generateVocabularies([]), `${GENERATED_HEADER}\n\nexport {}\n`)
    assert.match(
      generateTypes([users], {}, [currencyVocabulary]),
      /export type \{ Currency \} from '.\/vocabularies'/
    )
  })

  it('generates the shipped currencies once, for the server and the UI', async () => {
    const { vocabularies } = loadDeclarationSet(path.join(root, 'src/contexts'), domain)
    const text = await renderGenerated([], path.join(root, 'src/generated'), vocabularies)
    const generated = text[path.join(root, 'src/generated/vocabularies.ts')]
    assert.match(generated, /export const CURRENCIES = \['KRW', 'USD', 'EUR'\] as const/)
    assert.match(
      generated,
      /export const CURRENCY_DIGITS: Readonly<Record<Currency, number>> = \{ KRW: 0, USD: 2, EUR: 2 \}/
    )
  })

  describe('generate()', () => {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'typegen-'))
    const resourcesDir = path.join(root, 'src/contexts')
    after(() => fs.rmSync(outDir, { recursive: true, force: true }))

    it('writes the five files, then reports nothing stale; an edited file is stale and not rewritten by check', async () => {
      const first = await generate({ resourcesDir, outDir })
      assert.deepEqual(first.written.map((file) => path.basename(file)).sort(), [
        'client.ts',
        'schema.graphql',
        'services.ts',
        'types.ts',
        'vocabularies.ts'
      ])
      assert.deepEqual((await generate({ resourcesDir, outDir, check: true })).stale, [])
      const types = path.join(outDir, 'types.ts')
      fs.appendFileSync(types, '// hand edit\n')
      assert.deepEqual((await generate({ resourcesDir, outDir, check: true })).stale, [types])
      assert.match(fs.readFileSync(types, 'utf8'), /hand edit/, 'check writes nothing')
      assert.deepEqual((await generate({ resourcesDir, outDir })).written, [types])
    })

    it('finds the committed src/generated up to date with src/contexts', async () => {
      const { stale } = await generate({
        resourcesDir,
        outDir: path.join(root, 'src/generated'),
        check: true
      })
      assert.deepEqual(stale, [], 'generated files are stale; run npm run generate')
    })
  })
})

import {
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  type GraphQLFieldConfig
} from 'graphql'
import type { ResourceDeclaration } from '../declarations/declaration'
import type { GraphqlContext } from './context'
import type { EnumRegistry } from './field-types'
import { dataType, orderByType, whereType } from './input-types'
import { graphqlNames } from './names'
import { objectTypes, pageType, type ContractProperties } from './object-types'
import {
  behaviourContract,
  type BehaviourContract,
  type ContractRegistry
} from '../generators/behaviour-contract'
import { createOne, findPage, getOne, patchOne, removeOne, updateOne } from './operations'
import { exposed, readable } from './relations'
import { recordEvents } from './events'

type Field = GraphQLFieldConfig<unknown, GraphqlContext, any>

const has = (resource: ResourceDeclaration, method: keyof ResourceDeclaration['access']) =>
  Object.keys(resource.access[method]).length > 0

/** `products(where, orderBy, limit, offset)` and `product(id)`, as the declaration's `find` and `get` allow. */
const queryFields = (resource: ResourceDeclaration, type: GraphQLObjectType, enums: EnumRegistry) => {
  const names = graphqlNames(resource)
  const fields: Record<string, Field> = {}
  if (has(resource, 'find')) {
    const where = whereType(resource, enums)
    const orderBy = orderByType(resource)
    const paginate = resource.query.paginate
    fields[names.plural] = {
      type: new GraphQLNonNull(pageType(resource, type)),
      description: paginate
        ? `A page of ${resource.name}; limit defaults to ${paginate.default} and is capped at ${paginate.max}.`
        : `Every ${resource.name} record you may read (not paginated).`,
      args: {
        ...(where && { where: { type: where } }),
        ...(orderBy && { orderBy: { type: new GraphQLList(new GraphQLNonNull(orderBy)) } }),
        limit: { type: GraphQLInt },
        offset: { type: GraphQLInt }
      },
      extensions: { listSize: paginate ? paginate.max : 1000 },
      resolve: findPage(resource)
    }
  }
  if (has(resource, 'get')) {
    fields[names.single] = {
      type: new GraphQLNonNull(type),
      description: `One ${resource.name} record; NOT_FOUND when it does not exist or you may not read it.`,
      args: { id: { type: new GraphQLNonNull(GraphQLInt) } },
      resolve: getOne(resource)
    }
  }
  return fields
}

/** `version`, on a resource that has one: a stale version is a CONFLICT, on patch as on update. */
const versionArg = (resource: ResourceDeclaration) =>
  Object.values(resource.fields).some((field) => field.type === 'version')
    ? { version: { type: GraphQLInt } }
    : undefined

/**
 * `createProduct(data)`, `updateProduct(id, data, version)`, `patchProduct(id, data, version)`,
 * `removeProduct(id)`, as the declaration allows.
 */
const mutationFields = (
  resource: ResourceDeclaration,
  type: GraphQLObjectType,
  enums: EnumRegistry,
  contract: BehaviourContract
) => {
  const { type: typeName } = graphqlNames(resource)
  const fields: Record<string, Field> = {}
  const id = { type: new GraphQLNonNull(GraphQLInt) }
  const version = versionArg(resource)
  const concurrency = version ? 'With `version`, a stale version is a CONFLICT (optimistic concurrency).' : ''
  const create = has(resource, 'create') && dataType(resource, 'create', enums, contract.requiredOnCreate)
  if (create) {
    fields[`create${typeName}`] = {
      type: new GraphQLNonNull(type),
      args: { data: { type: new GraphQLNonNull(create) } },
      resolve: createOne(resource)
    }
  }
  const update = has(resource, 'update') && dataType(resource, 'update', enums)
  if (update) {
    fields[`update${typeName}`] = {
      type: new GraphQLNonNull(type),
      description:
        `Replaces the record (PUT): a field left out takes its default, or null. ${concurrency}`.trim(),
      args: { id, data: { type: new GraphQLNonNull(update) }, ...version },
      resolve: updateOne(resource)
    }
  }
  const patch = has(resource, 'patch') && dataType(resource, 'patch', enums)
  if (patch) {
    fields[`patch${typeName}`] = {
      type: new GraphQLNonNull(type),
      description: concurrency || undefined,
      args: { id, data: { type: new GraphQLNonNull(patch) }, ...version },
      resolve: patchOne(resource)
    }
  }
  if (has(resource, 'remove')) {
    fields[`remove${typeName}`] = {
      type: new GraphQLNonNull(type),
      args: { id },
      resolve: removeOne(resource)
    }
  }
  return fields
}

/** A declared custom event's subscription suffix: `shipmentLate` → `ShipmentLate` (`orderShipmentLate`). */
const customSuffix = (event: string) => event[0].toUpperCase() + event.slice(1)

/**
 * `productCreated`, `productPatched` (patch and update), `productRemoved`, and `<type><Event>` per declared
 * custom event: for resources with realtime events that someone may `get`; each subscriber receives the
 * records they may `get`, as over Socket.io.
 */
const subscriptionFields = (resource: ResourceDeclaration, type: GraphQLObjectType) => {
  if (!resource.realtime || !readable(resource)) return {}
  const { single } = graphqlNames(resource)
  const streams: [string, string[], string][] = [
    ['Created', ['created'], 'created'],
    ['Patched', ['patched', 'updated'], 'patched'],
    ['Removed', ['removed'], 'removed'],
    ...resource.events.map((event): [string, string[], string] => [
      customSuffix(event),
      [event],
      `emitted as its custom event '${event}'`
    ])
  ]
  return Object.fromEntries(
    streams.map(([suffix, events, what]): [string, Field] => [
      `${single}${suffix}`,
      {
        type: new GraphQLNonNull(type),
        description: `Each ${resource.name} record ${what} from now on that you may read.`,
        subscribe: (_source, _args, context) => recordEvents(context, resource, events),
        resolve: (record) => record
      }
    ])
  )
}

/** Subscription fields of two resources may meet (`order` + event `itemCreated`, `orderItem` + `Created`). */
const addSubscriptions = (
  subscription: Record<string, Field>,
  resource: ResourceDeclaration,
  fields: Record<string, Field>
) => {
  for (const [name, field] of Object.entries(fields)) {
    if (subscription[name])
      throw new Error(`${resource.file}: the GraphQL subscription '${name}' is also another resource's`)
    subscription[name] = field
  }
}

/** Two resources may not share a GraphQL name: `graphql: { type }` in one of them tells them apart. */
const assertDistinctNames = (resources: ResourceDeclaration[]) => {
  const seen = new Map<string, ResourceDeclaration>()
  for (const resource of resources) {
    const { type, plural, single } = graphqlNames(resource)
    for (const name of [type, plural, single]) {
      const other = seen.get(name)
      if (other && other !== resource)
        throw new Error(
          `${resource.file}: the GraphQL name '${name}' is also ${other.name}'s; set graphql: { type, plural } in one of them`
        )
      seen.set(name, resource)
    }
  }
}

/** What the contexts' behaviours add to answers (src/engine/generators/behaviour-contract.ts), by resource. */
const contractProperties = (contracts: Map<string, BehaviourContract>): ContractProperties =>
  Object.fromEntries(
    [...contracts].map(([name, contract]) => [
      name,
      { ...contract.resultProperties, ...contract.createdProperties }
    ])
  )

/**
 * The GraphQL schema of the declarations: a type per resource anyone may call, its queries and mutations as
 * its `access` allows, resolved through the same services (and so the same pipeline) as REST and Socket.io.
 */
export const buildGraphqlSchema = (declarations: ResourceDeclaration[], contracts?: ContractRegistry) => {
  const resources = declarations.filter(exposed).sort((a, b) => a.name.localeCompare(b.name))
  assertDistinctNames(resources)
  const enums: EnumRegistry = new Map()
  const contractOf = new Map(
    declarations.map((resource) => [resource.name, behaviourContract(resource, declarations, { contracts })])
  )
  const types = objectTypes(resources, enums, contractProperties(contractOf))
  const query: Record<string, Field> = {}
  const mutation: Record<string, Field> = {}
  const subscription: Record<string, Field> = {}
  for (const resource of resources) {
    addSubscriptions(subscription, resource, subscriptionFields(resource, types.get(resource.name)!))
    Object.assign(query, queryFields(resource, types.get(resource.name)!, enums))
    Object.assign(
      mutation,
      mutationFields(resource, types.get(resource.name)!, enums, contractOf.get(resource.name)!)
    )
  }
  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: query }),
    mutation: Object.keys(mutation).length
      ? new GraphQLObjectType({ name: 'Mutation', fields: mutation })
      : undefined,
    subscription: Object.keys(subscription).length
      ? new GraphQLObjectType({ name: 'Subscription', fields: subscription })
      : undefined
  })
}

import { BadRequest } from '@feathersjs/errors'
import type { ResourceDeclaration } from '../declarations/declaration'
import { forgetLoaded, type GraphqlContext } from './context'

type Args = Record<string, any>

/** A fresh params object per call: the pipeline's hooks write into it (row scope, transaction). */
const callParams = (context: GraphqlContext, query: Args = {}) => ({ ...context.params, query })

// Relations are GraphQL fields, loaded per level (src/engine/graphql/context.ts): the service includes none.
const NO_INCLUDES = { $include: [] }

/** Input objects arrive without a prototype; the services get plain JSON, as from a REST body. */
const plain = (value: unknown) => JSON.parse(JSON.stringify(value ?? {}))

/** `{ status: { in: [paid] }, totalCents: { gte: 100 } }` -> `{ status: { $in: [paid] }, totalCents: { $gte: 100 } }`. */
const whereQuery = (where: Args | undefined) =>
  Object.fromEntries(
    Object.entries(plain(where)).map(([field, operators]: [string, any]) => {
      const { eq, ...rest } = operators
      if (eq !== undefined && Object.keys(rest).length) {
        throw new BadRequest(`Invalid query: ${field} takes eq alone`, {
          errors: [{ field, message: 'takes eq alone' }]
        })
      }
      if (eq !== undefined) return [field, eq]
      return [field, Object.fromEntries(Object.entries(rest).map(([op, value]) => [`$${op}`, value]))]
    })
  )

export const findPage =
  (resource: ResourceDeclaration) => async (_source: unknown, args: Args, context: GraphqlContext) => {
    const query: Args = { ...whereQuery(args.where), ...NO_INCLUDES }
    if (args.orderBy?.length)
      query.$sort = Object.fromEntries(args.orderBy.map((order: Args) => [order.field, order.direction]))
    if (args.limit !== undefined && args.limit !== null) query.$limit = args.limit
    if (args.offset !== undefined && args.offset !== null) query.$skip = args.offset
    const result = await context.app.service(resource.path).find(callParams(context, query))
    // `paginate: false` answers a plain list: the same page shape, holding all of it.
    return Array.isArray(result)
      ? { total: result.length, limit: result.length, skip: 0, data: result }
      : result
  }

export const getOne =
  (resource: ResourceDeclaration) => (_source: unknown, args: Args, context: GraphqlContext) =>
    context.app.service(resource.path).get(args.id, callParams(context, NO_INCLUDES))

/** A mutation, after which relations are loaded afresh. */
const write = async (context: GraphqlContext, call: () => Promise<unknown>) => {
  try {
    return await call()
  } finally {
    forgetLoaded(context)
  }
}

export const createOne =
  (resource: ResourceDeclaration) => (_source: unknown, args: Args, context: GraphqlContext) =>
    write(context, () => context.app.service(resource.path).create(plain(args.data), callParams(context)))

/** `data` with the `version` argument as the body's precondition, as REST takes it. */
const withVersion = (args: Args) => {
  const data = plain(args.data)
  if (args.version !== undefined && args.version !== null) data.version = args.version
  return data
}

export const updateOne =
  (resource: ResourceDeclaration) => (_source: unknown, args: Args, context: GraphqlContext) =>
    write(context, () =>
      context.app.service(resource.path).update(args.id, withVersion(args), callParams(context))
    )

export const patchOne =
  (resource: ResourceDeclaration) => (_source: unknown, args: Args, context: GraphqlContext) =>
    write(context, () =>
      context.app.service(resource.path).patch(args.id, withVersion(args), callParams(context))
    )

export const removeOne =
  (resource: ResourceDeclaration) => (_source: unknown, args: Args, context: GraphqlContext) =>
    write(context, () => context.app.service(resource.path).remove(args.id, callParams(context)))

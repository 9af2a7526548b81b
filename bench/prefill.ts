import { log, writeData, type BenchContext } from './context'
import { measureLoad } from './load'
import { ordersOf } from './seed'

/** `GET /orders/:id` needs orders of the logged-in customers: made by the order runs, or by a short one. */
export const ensureOrders = async (context: BenchContext) => {
  const userIds = context.data.customers.map((customer) => customer.id)
  context.data.orders = await ordersOf(context.databaseUrl, userIds)
  if (!context.data.orders.length) {
    log('making orders for GET /orders/:id')
    const job = {
      scenario: 'order-create',
      seconds: 2,
      warmupSeconds: 0,
      connections: 4,
      dataFile: context.dataFile
    }
    await measureLoad(context.api, job, context.workDir)
    context.data.orders = await ordersOf(context.databaseUrl, userIds)
  }
  writeData(context)
}

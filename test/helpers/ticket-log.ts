/** The entries the transitions fixture's effects wrote for a ticket, oldest first. */
export const ticketLog = async (app: any, ticketId: number): Promise<string[]> =>
  (await app.service('ticket-log').find({ query: { ticketId, $sort: { id: 1 } }, paginate: false })).map(
    (row: any) => row.entry
  )

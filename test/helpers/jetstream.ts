import { connect } from 'nats'

export const NATS_URL = 'nats://127.0.0.1:4222'

/** Every message of a stream, in stream order, as [Nats-Msg-Id, CloudEvent]. */
export const streamEvents = async (stream: string) => {
  const connection = await connect({ servers: NATS_URL })
  try {
    const manager = await connection.jetstreamManager()
    const { state } = await manager.streams.info(stream)
    const events: { msgId: string; subject: string; event: any }[] = []
    for (let seq = state.first_seq; seq <= state.last_seq && state.messages; seq++) {
      const message = await manager.streams.getMessage(stream, { seq })
      events.push({
        msgId: message.header.get('Nats-Msg-Id'),
        subject: message.subject,
        event: message.json()
      })
    }
    return events
  } finally {
    await connection.close()
  }
}

/** Removes a test's stream (and its consumers) from the shared server. */
export const deleteStream = async (stream: string) => {
  const connection = await connect({ servers: NATS_URL })
  try {
    await (await connection.jetstreamManager()).streams.delete(stream).catch(() => undefined)
  } finally {
    await connection.close()
  }
}

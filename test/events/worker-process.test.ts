import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { baseEnv, startWorker, stopProcess } from '../helpers/process'
import { freePort } from '../helpers/redis'

describe('npm run worker (embedded database)', function () {
  this.timeout(60_000)

  it('migrates, says what it runs, serves its metrics on METRICS_PORT, and exits 0 on SIGTERM', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'internal-api-worker-'))
    try {
      const port = await freePort()
      const worker = await startWorker({ ...baseEnv(), DATA_DIR: dataDir, METRICS_PORT: String(port) })
      const metrics = await fetch(`http://localhost:${port}/metrics`)
      assert.equal(metrics.status, 200, 'its own metrics on METRICS_PORT')
      assert.match(await metrics.text(), /api_outbox_events_pending/)
      const started = Date.now()
      assert.equal(await stopProcess(worker.child), 0)
      assert.ok(Date.now() - started < 10_000, 'promptly')
      const output = worker.output()
      assert.match(output, /"bus":"in-process"/)
      for (const name of [
        'notifyCustomers',
        'queueWebhookDeliveries',
        'deliverWebhooks',
        'expirePendingOrders'
      ])
        assert.ok(output.includes(`"${name}"`), `runs ${name}`)
      assert.match(output, /"signal":"SIGTERM"[^\n]*shutting down/)
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true })
    }
  })
})

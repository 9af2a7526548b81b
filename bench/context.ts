import fs from 'node:fs'
import path from 'node:path'
import type { BenchOptions } from './options'
import type { LoadData } from './scenarios'
import type { Seeded } from './seed'
import type { BenchServer, benchSecrets } from './servers'

/** What a suite (the comparison or the soak) runs against, set up by bench/run.ts. */
export interface BenchContext {
  options: BenchOptions
  /** Temporary files of this run (jobs, data, server logs); removed at the end. */
  workDir: string
  databaseUrl: string
  api: BenchServer
  raw?: BenchServer
  /** Shared by every API instance the run starts (tokens work on all of them). */
  secrets: ReturnType<typeof benchSecrets>
  seeded: Seeded
  data: LoadData
  /** Where the load workers read `data` from; rewrite it after changing `data`. */
  dataFile: string
}

export const writeData = (context: Pick<BenchContext, 'data' | 'dataFile'>) =>
  fs.writeFileSync(context.dataFile, JSON.stringify(context.data))

export const dataFileIn = (workDir: string) => path.join(workDir, 'data.json')

/** Progress goes to stderr, so stdout carries only the report. */
export const log = (message: string) => console.error(`[bench] ${message}`)

import type { TestProject } from 'vitest/node'

import { startKafka } from './kafka.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Bootstrap addresses (`host:port`) of the Kafka broker started for the integration tests. */
    kafkaBrokers: string[]
  }
}

/**
 * vitest globalSetup of the `integration` project: starts one Kafka broker for the whole run
 * (see startKafka for where it comes from), hands its addresses to the tests through
 * `inject('kafkaBrokers')` and the FW_KAFKA_* environment variables (which workers inherit, so
 * startKafka() in a test attaches to the same broker and can restart it), and stops it in
 * teardown. A broker that cannot start fails the run with the error that says what to install or
 * start; the tests are never skipped silently.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const previous = { ...process.env }
  const kafka = await startKafka()

  Object.assign(process.env, kafka.env)
  project.provide('kafkaBrokers', kafka.brokers)

  return async () => {
    for (const name of Object.keys(kafka.env)) {
      if (previous[name] === undefined) delete process.env[name]
      else process.env[name] = previous[name]
    }
    await kafka.stop()
  }
}

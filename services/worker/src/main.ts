import { runWorkerFromEnv } from './run-worker.ts'

// Exit explicitly: kafkajs and the store client may keep timers alive after a stop.
process.exit(await runWorkerFromEnv())

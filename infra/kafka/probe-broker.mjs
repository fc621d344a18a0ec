// Waits until a Kafka broker answers a metadata request and lists itself with an elected
// controller, or until its process exits or the deadline passes. Used by broker.sh; plain
// JavaScript so that it runs on Node without a TypeScript loader.
//
//   node probe-broker.mjs --broker HOST:PORT [--pid PID] [--timeout-ms MS]
//
// Exit codes: 0 ready, 1 deadline passed, 2 the broker process exited, 64 bad arguments.
import process from 'node:process'
import { setTimeout as sleep } from 'node:timers/promises'

import { Kafka, logLevel } from 'kafkajs'

const usage = 'usage: probe-broker.mjs --broker HOST:PORT [--pid PID] [--timeout-ms MS]'

function parseArguments(argv) {
  const options = { broker: undefined, pid: undefined, timeoutMs: 120_000 }
  for (let index = 0; index < argv.length; index += 2) {
    const name = argv[index]
    const value = argv[index + 1]
    if (value === undefined) return { error: `${name} needs a value` }
    if (name === '--broker') options.broker = value
    else if (name === '--pid') options.pid = Number(value)
    else if (name === '--timeout-ms') options.timeoutMs = Number(value)
    else return { error: `unknown option ${name}` }
  }
  if (options.broker === undefined || !/^[^:]+:\d+$/.test(options.broker)) {
    return { error: '--broker HOST:PORT is required' }
  }
  if (options.pid !== undefined && !Number.isInteger(options.pid)) {
    return { error: '--pid must be a process id' }
  }
  if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0) {
    return { error: '--timeout-ms must be a positive number' }
  }
  return { options }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM means the process exists but belongs to someone else.
    return error.code === 'EPERM'
  }
}

async function describeOnce(broker) {
  const kafka = new Kafka({
    clientId: 'fairwatch-broker-probe',
    brokers: [broker],
    connectionTimeout: 2_000,
    requestTimeout: 5_000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  })
  const admin = kafka.admin()
  try {
    await admin.connect()
    return await admin.describeCluster()
  } finally {
    await admin.disconnect().catch(() => undefined)
  }
}

async function main() {
  const parsed = parseArguments(process.argv.slice(2))
  if (parsed.error !== undefined) {
    process.stderr.write(`probe-broker: ${parsed.error}\n${usage}\n`)
    return 64
  }
  const { broker, pid, timeoutMs } = parsed.options
  const [host, port] = broker.split(':')
  const deadline = Date.now() + timeoutMs
  let lastProblem = 'no answer yet'
  while (Date.now() < deadline) {
    if (pid !== undefined && !isAlive(pid)) {
      process.stderr.write(`probe-broker: broker process ${pid} exited before it answered\n`)
      return 2
    }
    try {
      const cluster = await describeOnce(broker)
      const listed = cluster.brokers.some((b) => b.host === host && String(b.port) === port)
      // A controller id of -1 (or none) means the metadata quorum has no leader yet.
      const hasController = typeof cluster.controller === 'number' && cluster.controller >= 0
      if (listed && hasController) return 0
      lastProblem = listed ? 'no active controller yet' : `broker ${broker} not listed in metadata`
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error)
    }
    await sleep(250)
  }
  process.stderr.write(
    `probe-broker: ${broker} did not answer within ${timeoutMs} ms (last: ${lastProblem})\n`,
  )
  return 1
}

process.exitCode = await main()

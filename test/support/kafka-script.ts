import { execFile } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { KafkaStartError, KafkaStopError } from './kafka-errors.ts'

/** Path of the script that runs a Kafka broker from Maven Central's jars. */
export const brokerScript = fileURLToPath(new URL('../../infra/kafka/broker.sh', import.meta.url))

/** Covers a first run that fetches the jars with mvn, plus the broker's own start. */
const startTimeoutMs = 10 * 60_000
const stopTimeoutMs = 60_000

/** A broker run by broker.sh: where clients connect and where its data lives. */
export interface ScriptBroker {
  brokers: string[]
  dataDir: string
}

interface ScriptResult {
  exitCode: number
  stdout: string
  stderr: string
}

function runScript(args: string[], timeoutMs: number): Promise<ScriptResult> {
  // broker.sh probes the broker with Node; give it the Node that runs this process.
  const env = {
    ...process.env,
    PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}`,
  }
  return new Promise((resolve) => {
    execFile(
      brokerScript,
      args,
      { env, timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const exitCode = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
        resolve({ exitCode, stdout, stderr })
      },
    )
  })
}

function scriptFailure(action: string, result: ScriptResult): KafkaStartError {
  const detail = result.stderr.trim().split('\n').slice(-60).join('\n')
  return new KafkaStartError(
    `infra/kafka/broker.sh ${action} failed (exit ${result.exitCode}). It needs Java 17+ and ` +
      `Maven on PATH (Debian: apt-get install openjdk-17-jre-headless maven) and, on its first ` +
      `run, access to Maven Central. Alternatively start a broker yourself and set ` +
      `FW_KAFKA_BROKERS=host:port. Output of broker.sh:\n${detail}`,
    { cause: new Error(detail) },
  )
}

/**
 * Starts a broker with `broker.sh start`. Without `dataDir` the script formats a fresh temporary
 * directory; with one it reuses that directory and the ports recorded in it. The broker stops by
 * itself when process `ownerPid` is gone; a restart from a kept directory without `ownerPid`
 * keeps the owner recorded at the first start.
 *
 * @throws KafkaStartError with broker.sh's output (including the broker log tail) on failure.
 */
export async function startScriptBroker(options: {
  ownerPid?: number
  port?: number
  dataDir?: string
}): Promise<ScriptBroker> {
  const args = ['start']
  if (options.ownerPid !== undefined) args.push('--owner-pid', String(options.ownerPid))
  if (options.port !== undefined) args.push('--port', String(options.port))
  if (options.dataDir !== undefined) args.push('--data', options.dataDir)

  const result = await runScript(args, startTimeoutMs)

  if (result.exitCode !== 0) throw scriptFailure('start', result)
  const brokersLine = /^KAFKA_BROKERS=(.+)$/m.exec(result.stdout)?.[1]
  const dataLine = /^KAFKA_DATA=(.+)$/m.exec(result.stdout)?.[1]
  if (brokersLine === undefined || dataLine === undefined) {
    throw new KafkaStartError(
      `infra/kafka/broker.sh start printed no KAFKA_BROKERS/KAFKA_DATA lines; stdout was: ` +
        JSON.stringify(result.stdout),
    )
  }
  return { brokers: brokersLine.split(','), dataDir: dataLine }
}

/**
 * Stops the broker of `dataDir` with `broker.sh stop`, deleting the directory unless `keepData`.
 * Stopping a broker that no longer runs succeeds.
 *
 * @throws KafkaStopError when broker.sh reports a failure.
 */
export async function stopScriptBroker(dataDir: string, keepData: boolean): Promise<void> {
  const args = ['stop', '--data', dataDir]
  if (keepData) args.push('--keep-data')

  const result = await runScript(args, stopTimeoutMs)

  if (result.exitCode !== 0) {
    throw new KafkaStopError(`infra/kafka/broker.sh stop failed (exit ${result.exitCode})`, {
      cause: new Error(result.stderr.trim()),
    })
  }
}

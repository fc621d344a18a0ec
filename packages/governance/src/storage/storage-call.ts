import { StorageFailedError } from '../errors'

/** Runs one ClickHouse operation, reporting any failure as StorageFailedError naming it. */
export async function storageCall<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (err) {
    throw new StorageFailedError(operation, { cause: err })
  }
}

import type { ChdbConnection } from 'chdb/connection'

interface Member {
  connection: ChdbConnection
  /** Calls under way. */
  busy: number
}

/**
 * Connections of the embedded engine to one data directory. The engine runs the statements of
 * one connection one after another, so a long count would hold up every insert behind it; with
 * several connections, statements without query parameters run at the same time, as on a
 * ClickHouse server. (Statements with parameters still take turns across all connections: the
 * engine's parameter binding is not safe to run concurrently, and the chdb binding orders them.)
 * Each call goes to a connection with the fewest calls under way.
 */
export class ConnectionPool {
  readonly #members: Member[]
  #next = 0

  constructor(connections: readonly ChdbConnection[]) {
    if (connections.length === 0) throw new RangeError('a connection pool needs a connection')
    this.#members = connections.map((connection) => ({ connection, busy: 0 }))
  }

  /** Runs `call` on the least busy connection; ties go round the pool. */
  async run<T>(call: (connection: ChdbConnection) => Promise<T>): Promise<T> {
    const size = this.#members.length
    this.#next = (this.#next + 1) % size
    let member = this.#members[this.#next] as Member
    for (let i = 1; i < size; i += 1) {
      const other = this.#members[(this.#next + i) % size] as Member
      if (other.busy < member.busy) member = other
    }
    member.busy += 1
    try {
      return await call(member.connection)
    } finally {
      member.busy -= 1
    }
  }

  /** A connection in the shape @clickhouse/client takes, spreading its calls over the pool. */
  asConnection(): Pick<ChdbConnection, 'query' | 'exec' | 'command' | 'insert' | 'ping' | 'close'> {
    return {
      query: (params) => this.run((c) => c.query(params)),
      exec: (params) => this.run((c) => c.exec(params)),
      command: (params) => this.run((c) => c.command(params)),
      insert: (params) => this.run((c) => c.insert(params)),
      ping: (params) => this.run((c) => c.ping(params)),
      close: async () => {
        await Promise.all(this.#members.map(({ connection }) => connection.close()))
      },
    }
  }
}

/** What Grafana hands a query: the dashboard's time range, the panel's interval and variables. */
export interface QueryContext {
  from: Date
  to: Date
  /** The panel's interval ($__interval), in milliseconds. */
  intervalMs: number
  /** Current value of each template variable: one value, or the selected values of a multi. */
  variables: Readonly<Record<string, string | readonly string[]>>
}

/** A query that cannot be expanded: an unknown macro or variable, or a macro misused. */
export class QueryExpansionError extends Error {
  constructor(
    readonly query: string,
    message: string,
  ) {
    super(`${message} in query:\n${query}`)
    this.name = 'QueryExpansionError'
  }
}

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([a-z]+))?\}|\$([A-Za-z][A-Za-z0-9_]*)/g
const MACRO = /\$__([A-Za-z_]+)/g

function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`
}

function seconds(date: Date): number {
  return Math.floor(date.getTime() / 1000)
}

/**
 * Expands a ClickHouse panel query the way Grafana and grafana-clickhouse-datasource do: first
 * template variables (`${name:sqlstring}` quotes each value and joins a multi-value with commas;
 * `$name` and `${name}` insert a single value as it is), then the data source's macros used by the
 * Fairwatch dashboards:
 * - `$__timeFilter(col)`: `col >= toDateTime(<from s>) AND col <= toDateTime(<to s>)`
 * - `$__fromTime`, `$__toTime`: `toDateTime(<s>)`
 * - `$__timeInterval(col)`: `toStartOfInterval(toDateTime(col), INTERVAL <interval s> second)`
 * - `$__interval_s`: the interval in whole seconds (at least 1)
 *
 * @throws QueryExpansionError on an unknown variable or macro, a format other than sqlstring, a
 *   multi-value inserted raw, a macro without its argument, or anything `$__` left afterwards.
 */
export function expandQuery(query: string, context: QueryContext): string {
  const withVariables = query.replace(
    VARIABLE,
    (whole, braced: string | undefined, format: string | undefined, bare: string | undefined) => {
      const name = (braced ?? bare) as string
      if (name.startsWith('__')) return whole
      const value = context.variables[name]
      if (value === undefined) throw new QueryExpansionError(query, `unknown variable $${name}`)
      const values = typeof value === 'string' ? [value] : value
      if (format === 'sqlstring') {
        if (values.length === 0) throw new QueryExpansionError(query, `$${name} has no value`)
        return values.map(sqlString).join(',')
      }
      if (format !== undefined) {
        throw new QueryExpansionError(query, `format ${format} of $${name} is not supported`)
      }
      if (values.length !== 1) {
        throw new QueryExpansionError(query, `$${name} has ${values.length} values; use :sqlstring`)
      }
      return values[0] as string
    },
  )

  const intervalSeconds = Math.max(Math.floor(context.intervalMs / 1000), 1)
  let expanded = ''
  let at = 0
  for (const match of withVariables.matchAll(MACRO)) {
    const start = match.index
    if (start < at) continue
    const name = match[1] as string
    let end = start + match[0].length
    let argument: string | null = null
    if (withVariables[end] === '(') {
      const close = withVariables.indexOf(')', end)
      if (close < 0) throw new QueryExpansionError(query, `$__${name}( is not closed`)
      argument = withVariables.slice(end + 1, close).trim()
      end = close + 1
    }
    expanded += withVariables.slice(at, start) + macro(name, argument)
    at = end
  }
  expanded += withVariables.slice(at)
  if (expanded.includes('$__')) {
    throw new QueryExpansionError(query, 'a $__ macro is left unexpanded')
  }
  return expanded

  function macro(name: string, argument: string | null): string {
    const needsColumn = () => {
      if (!argument) throw new QueryExpansionError(query, `$__${name} needs a column argument`)
      return argument
    }
    const from = `toDateTime(${seconds(context.from)})`
    const to = `toDateTime(${seconds(context.to)})`
    switch (name) {
      case 'timeFilter': {
        const column = needsColumn()
        return `${column} >= ${from} AND ${column} <= ${to}`
      }
      case 'fromTime':
        return from
      case 'toTime':
        return to
      case 'timeInterval':
        return `toStartOfInterval(toDateTime(${needsColumn()}), INTERVAL ${intervalSeconds} second)`
      case 'interval_s':
        return String(intervalSeconds)
      default:
        throw new QueryExpansionError(query, `unknown macro $__${name}`)
    }
  }
}

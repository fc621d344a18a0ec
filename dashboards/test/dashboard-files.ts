import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

import { parse as parseYaml } from 'yaml'

/** The repository's root directory. */
export const REPOSITORY = join(import.meta.dirname, '../..')
export const DASHBOARD_DIR = join(REPOSITORY, 'dashboards')
export const DATASOURCE_DIR = join(REPOSITORY, 'infra/grafana/provisioning/datasources')

export interface DataSourceRef {
  type?: string
  uid?: string
}

export interface Target {
  refId?: string
  datasource?: DataSourceRef
  rawSql?: string
  expr?: string
}

export interface Panel {
  id?: unknown
  type?: string
  title?: string
  datasource?: DataSourceRef
  targets?: Target[]
  panels?: Panel[]
  repeat?: string
  gridPos?: { x: number; y: number; w: number; h: number }
}

export interface Variable {
  name?: string
  type?: string
  datasource?: DataSourceRef
  query?: unknown
  definition?: string
  multi?: boolean
  includeAll?: boolean
}

export interface Dashboard {
  uid?: unknown
  title?: unknown
  panels?: Panel[]
  templating?: { list?: Variable[] }
}

/** A dashboard file, parsed. */
export interface DashboardFile {
  file: string
  dashboard: Dashboard
}

/** Every dashboard JSON file in dashboards/. @throws SyntaxError naming the file on bad JSON. */
export function loadDashboards(): DashboardFile[] {
  return readdirSync(DASHBOARD_DIR)
    .filter((name) => name.endsWith('.json') && name !== 'package.json')
    .sort()
    .map((name) => {
      const text = readFileSync(join(DASHBOARD_DIR, name), 'utf8')
      try {
        return { file: name, dashboard: JSON.parse(text) as Dashboard }
      } catch (err) {
        throw new SyntaxError(`dashboards/${name}: ${(err as Error).message}`, { cause: err })
      }
    })
}

/** The data sources provisioned in infra/grafana/provisioning/datasources, by uid. */
export function provisionedDataSources(): Map<string, { type: string; name: string }> {
  const sources = new Map<string, { type: string; name: string }>()
  for (const name of readdirSync(DATASOURCE_DIR).filter((n) => /\.ya?ml$/.test(n))) {
    const document = parseYaml(readFileSync(join(DATASOURCE_DIR, name), 'utf8')) as {
      datasources?: { uid?: string; type?: string; name?: string }[]
    }
    for (const source of document.datasources ?? []) {
      if (source.uid && source.type && source.name) {
        sources.set(source.uid, { type: source.type, name: source.name })
      }
    }
  }
  return sources
}

/** Every panel of a dashboard, those inside rows included, rows themselves excluded. */
export function panelsOf(dashboard: Dashboard): Panel[] {
  const panels: Panel[] = []
  for (const panel of dashboard.panels ?? []) {
    if (panel.type !== 'row') panels.push(panel)
    panels.push(...(panel.panels ?? []))
  }
  return panels
}

/** The dashboard's template variables. */
export function variablesOf(dashboard: Dashboard): Variable[] {
  return dashboard.templating?.list ?? []
}

/** The query text of a variable (a string, or the `query` field of an object). */
export function variableQuery(variable: Variable): string {
  const query = variable.query
  if (typeof query === 'string') return query
  if (
    query &&
    typeof query === 'object' &&
    typeof (query as { query?: unknown }).query === 'string'
  ) {
    return (query as { query: string }).query
  }
  return ''
}

/** Names of the template variables a text refers to ($name, ${name}, ${name:format}). */
export function referencedVariables(text: string): string[] {
  const names = new Set<string>()
  for (const match of text.matchAll(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::[a-z]+)?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
  )) {
    const name = (match[1] ?? match[2]) as string
    if (!name.startsWith('__')) names.add(name)
  }
  return [...names]
}

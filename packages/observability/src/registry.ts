import { Registry, collectDefaultMetrics } from 'prom-client'

/**
 * A Prometheus registry of the service's own (never the global default), with the process and
 * Node.js runtime metrics, labelled with the service name.
 */
export function createRegistry(service: string, options: { defaults?: boolean } = {}): Registry {
  const registry = new Registry()
  registry.setDefaultLabels({ service })
  if (options.defaults ?? true) collectDefaultMetrics({ register: registry, prefix: 'fairwatch_' })
  return registry
}

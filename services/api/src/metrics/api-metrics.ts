import { Counter, Histogram } from 'prom-client'
import type { Registry } from 'prom-client'

/** The API's Prometheus instruments, on the service's own registry. */
export interface ApiMetrics {
  requests: Counter<'method' | 'route' | 'status_code'>
  requestDuration: Histogram<'method' | 'route'>
  eventsIngested: Counter<'kind' | 'source'>
  eventsRejected: Counter<'reason' | 'source'>
  batchSize: Histogram
}

/** Registers the API's instruments (names shared with the workers) on `registry`. */
export function createApiMetrics(registry: Registry): ApiMetrics {
  const registers = [registry]
  return {
    requests: new Counter({
      name: 'fairwatch_http_requests_total',
      help: 'HTTP requests answered, by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'],
      registers,
    }),
    requestDuration: new Histogram({
      name: 'fairwatch_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method and route template',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    eventsIngested: new Counter({
      name: 'fairwatch_events_ingested_total',
      help: 'Valid events accepted for processing, by kind and source',
      labelNames: ['kind', 'source'],
      registers,
    }),
    eventsRejected: new Counter({
      name: 'fairwatch_events_rejected_total',
      help: 'Events refused by the contract, by reason and source',
      labelNames: ['reason', 'source'],
      registers,
    }),
    batchSize: new Histogram({
      name: 'fairwatch_batch_size',
      help: 'Events per processed batch',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
      registers,
    }),
  }
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface HttpMetricsOptions {
  /** The `app` label on every series: Kratos labels its series `kratos`, so dashboards keep working. */
  app: string;
  version: string;
}

/**
 * Request metrics of the identity server's two ports, in the series Kratos exposes at
 * `/admin/metrics/prometheus` (its `http_` prefixed set: totals and durations by status code
 * and method, response time by route, counts by status class), plus the process metrics.
 *
 * One registry per server instance, never prom-client's global one: two servers in one process
 * (tests, `gatehouse serve`) must not count into each other.
 */
export class HttpMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'code' | 'method'>;
  private readonly duration: Histogram<'code' | 'method'>;
  private readonly responseTime: Histogram<'endpoint'>;
  private readonly statuses: Counter<'method' | 'status_bucket'>;

  constructor(options: HttpMetricsOptions) {
    this.registry.setDefaultLabels({ app: options.app, version: options.version });
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'Requests answered, by status code and method.',
      labelNames: ['code', 'method'],
      registers,
    });
    this.duration = new Histogram({
      name: 'http_requests_duration_seconds',
      help: 'Time to answer a request, by status code and method.',
      labelNames: ['code', 'method'],
      registers,
    });
    this.responseTime = new Histogram({
      name: 'http_response_time_seconds',
      help: 'Time to answer a request, by route (path parameters shown as {param}).',
      labelNames: ['endpoint'],
      registers,
    });
    this.statuses = new Counter({
      name: 'http_requests_statuses_total',
      help: 'Requests answered, by method and status class (2xx, 3xx, 4xx, 5xx).',
      labelNames: ['method', 'status_bucket'],
      registers,
    });
    collectDefaultMetrics({ register: this.registry });
  }

  /** Counts every request `app` answers. */
  instrument(app: FastifyInstance): void {
    app.addHook('onResponse', async (request, reply) => this.observe(request, reply));
  }

  /** `GET <path>` answers with the metrics in Prometheus' text format. */
  registerRoute(app: FastifyInstance, path: string): void {
    app.get(path, async (_request, reply) =>
      reply.type(this.registry.contentType).send(await this.registry.metrics()),
    );
  }

  private observe(request: FastifyRequest, reply: FastifyReply): void {
    const code = String(reply.statusCode);
    const method = request.method;
    const seconds = reply.elapsedTime / 1000;
    this.requests.inc({ code, method });
    this.duration.observe({ code, method }, seconds);
    this.responseTime.observe({ endpoint: endpointLabel(request) }, seconds);
    this.statuses.inc({ method, status_bucket: statusBucket(reply.statusCode) });
  }
}

/**
 * The route that answered, not the path asked for: ids in paths would give a series per
 * identity. Requests no route answered share one label.
 */
function endpointLabel(request: FastifyRequest): string {
  const route = request.is404 ? undefined : request.routeOptions.url;
  return route === undefined ? '{unmatched}' : route.replace(/:[^/]+/g, '{param}');
}

function statusBucket(status: number): string {
  if (status >= 200 && status <= 299) return '2xx';
  if (status >= 300 && status <= 399) return '3xx';
  if (status >= 400 && status <= 499) return '4xx';
  if (status >= 500 && status <= 599) return '5xx';
  return 'unknown';
}

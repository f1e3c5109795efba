import { createServer, type Server } from 'node:http';
import { Counter, Histogram, Registry } from 'prom-client';

/**
 * The proxy's Prometheus metrics: decisions by rule and outcome, and their latency. Served on
 * `serve.prometheus` (9000), which, as Oathkeeper's, answers every path with the metrics.
 */
export class ProxyMetrics {
  readonly registry = new Registry();
  private readonly decisions: Counter<'rule' | 'outcome'>;
  private readonly latency: Histogram<'rule'>;

  constructor(prefix: string) {
    this.decisions = new Counter({
      name: `${prefix}decisions_total`,
      help: 'Access decisions by matched rule ("" when none matched) and outcome (allowed, or the HTTP status of the refusal).',
      labelNames: ['rule', 'outcome'],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: `${prefix}decision_duration_seconds`,
      help: 'Time to decide on a request, from its arrival to the decision, by matched rule.',
      labelNames: ['rule'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
  }

  // Labelled children, kept per label set: looking them up by labels on every request costs more
  // than the counting itself. Rule ids and outcomes are few, and a reload keeps most of them.
  private readonly counters = new Map<string, { inc(): void }>();
  private readonly timers = new Map<string, { observe(value: number): void }>();

  /** Records one decision; `started` is from process.hrtime.bigint(). */
  record(rule: string, outcome: string, started: bigint): void {
    const key = `${rule}\u0000${outcome}`;
    let counter = this.counters.get(key);
    if (!counter) {
      counter = this.decisions.labels({ rule, outcome });
      this.counters.set(key, counter);
    }
    counter.inc();
    let timer = this.timers.get(rule);
    if (!timer) {
      timer = this.latency.labels({ rule });
      this.timers.set(rule, timer);
    }
    timer.observe(Number(process.hrtime.bigint() - started) / 1e9);
  }

  /** The metrics listener: every path answers with the text exposition format. */
  createServer(): Server {
    return createServer((_request, response) => {
      this.registry
        .metrics()
        .then((text) => {
          response.writeHead(200, { 'content-type': this.registry.contentType });
          response.end(text);
        })
        .catch(() => {
          response.writeHead(500).end();
        });
    });
  }
}

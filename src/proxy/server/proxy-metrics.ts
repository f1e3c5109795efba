import { createServer, type Server } from 'node:http';
import { performance } from 'node:perf_hooks';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

interface DecisionCount {
  outcome: string;
  count: number;
}

/** Everything counted for one rule: one lookup per decision, no key built from rule and outcome. */
interface RuleSeries {
  rule: string;
  outcomes: Map<string, DecisionCount>;
  /** Per bucket, not cumulative: observations with `LATENCY_BUCKETS[i-1] < seconds <= LATENCY_BUCKETS[i]`. */
  buckets: Float64Array;
  sum: number;
  count: number;
}

/**
 * The proxy's Prometheus metrics: decisions by rule and outcome, and their latency. Served on
 * `serve.prometheus` (9000), which, as Oathkeeper's, answers every path with the metrics.
 *
 * Counted in plain numbers and rendered as text only when scraped, not through prom-client:
 * prom-client validates and hashes the label set on every `inc()`/`observe()`, which cost
 * about 10 % of the /decisions throughput (bench/README.md).
 */
export class ProxyMetrics {
  private readonly series = new Map<string, RuleSeries>();

  constructor(private readonly prefix: string) {}

  /** Records one decision; `started` is from performance.now(). */
  record(rule: string, outcome: string, started: number): void {
    this.observe(rule, outcome, (performance.now() - started) / 1000);
  }

  /** Records one decision that took `seconds`. */
  observe(rule: string, outcome: string, seconds: number): void {
    let series = this.series.get(rule);
    if (!series) {
      series = {
        rule,
        outcomes: new Map(),
        buckets: new Float64Array(LATENCY_BUCKETS.length),
        sum: 0,
        count: 0,
      };
      this.series.set(rule, series);
    }
    let decision = series.outcomes.get(outcome);
    if (!decision) {
      decision = { outcome, count: 0 };
      series.outcomes.set(outcome, decision);
    }
    decision.count++;
    // A plain loop: a findIndex callback would be one more closure per request.
    for (let bucket = 0; bucket < LATENCY_BUCKETS.length; bucket++) {
      if (seconds <= LATENCY_BUCKETS[bucket]!) {
        series.buckets[bucket]!++;
        break;
      }
    }
    series.sum += seconds;
    series.count++;
  }

  /** The metrics in the Prometheus text exposition format (version 0.0.4). */
  render(): string {
    const decisions = `${this.prefix}decisions_total`;
    const latency = `${this.prefix}decision_duration_seconds`;
    const lines = [
      `# HELP ${decisions} Access decisions by matched rule ("" when none matched) and outcome (allowed, or the HTTP status of the refusal).`,
      `# TYPE ${decisions} counter`,
    ];
    for (const { rule, outcomes } of this.series.values()) {
      for (const { outcome, count } of outcomes.values()) {
        lines.push(`${decisions}{rule="${labelValue(rule)}",outcome="${labelValue(outcome)}"} ${count}`);
      }
    }
    lines.push(
      `# HELP ${latency} Time to decide on a request, from its arrival to the decision, by matched rule.`,
      `# TYPE ${latency} histogram`,
    );
    for (const { rule, buckets, sum, count } of this.series.values()) {
      const label = `rule="${labelValue(rule)}"`;
      let cumulative = 0;
      LATENCY_BUCKETS.forEach((bound, index) => {
        cumulative += buckets[index]!;
        lines.push(`${latency}_bucket{${label},le="${bound}"} ${cumulative}`);
      });
      lines.push(
        `${latency}_bucket{${label},le="+Inf"} ${count}`,
        `${latency}_sum{${label}} ${sum}`,
        `${latency}_count{${label}} ${count}`,
      );
    }
    return `${lines.join('\n')}\n`;
  }

  /** The metrics listener: every path answers with the text exposition format. */
  createServer(): Server {
    return createServer((_request, response) => {
      const text = this.render();
      response.writeHead(200, {
        'content-type': 'text/plain; version=0.0.4; charset=utf-8',
        'content-length': Buffer.byteLength(text),
      });
      response.end(text);
    });
  }
}

/** Rule ids come from operators' files: escaped so that no id can break the exposition format. */
function labelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (character) => (character === '\n' ? '\\n' : `\\${character}`));
}

import { performance } from 'node:perf_hooks';
import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ProxyMetrics } from '../../../src/proxy/server/proxy-metrics.js';

// prom-client, the usual Node exposition library, is the oracle: the same observations must give
// the same metric lines.
function promClientExposition(observations: [string, string, number][]): Promise<string> {
  const registry = new Registry();
  const decisions = new Counter({
    name: 'ory_oathkeeper_decisions_total',
    help: 'x',
    labelNames: ['rule', 'outcome'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'ory_oathkeeper_decision_duration_seconds',
    help: 'x',
    labelNames: ['rule'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  for (const [rule, outcome, seconds] of observations) {
    decisions.inc({ rule, outcome });
    latency.observe({ rule }, seconds);
  }
  return registry.metrics();
}

const samples = (text: string) => text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));

/** A sample line with its labels in name order: label order carries no meaning in the format. */
function normalised(line: string): string {
  const match = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
  if (!match) return line;
  const labels = [...match[2]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([label]) => label).sort();
  return `${match[1]}{${labels.join(',')}} ${match[3]}`;
}

describe('proxy metrics exposition', () => {
  it('renders the same counter and histogram lines as prom-client', async () => {
    const observations: [string, string, number][] = [
      ['dashboard:anonymous', 'allowed', 0.0003],
      ['dashboard:anonymous', 'allowed', 0.003],
      ['dashboard:anonymous', '401', 0.0025],
      ['', '404', 0.00001],
      ['api', 'allowed', 7],
      ['api', '403', 0.25],
      ['odd "id" with \\ and\nnewline', 'allowed', 0.04],
    ];
    const metrics = new ProxyMetrics('ory_oathkeeper_');
    for (const [rule, outcome, seconds] of observations) metrics.observe(rule, outcome, seconds);

    const ours = samples(metrics.render());
    expect(ours.length).toBeGreaterThan(observations.length);
    expect(new Set(ours.map(normalised))).toEqual(
      new Set(samples(await promClientExposition(observations)).map(normalised)),
    );
  });

  it('declares each metric once with its type, before its samples', () => {
    const metrics = new ProxyMetrics('gatehouse_');
    metrics.observe('r', 'allowed', 0.001);
    const lines = metrics.render().split('\n');
    const counterType = lines.indexOf('# TYPE gatehouse_decisions_total counter');
    const histogramType = lines.indexOf('# TYPE gatehouse_decision_duration_seconds histogram');
    expect(counterType).toBeGreaterThan(0);
    expect(histogramType).toBeGreaterThan(counterType);
    expect(lines[counterType + 1]).toBe('gatehouse_decisions_total{rule="r",outcome="allowed"} 1');
    expect(lines[histogramType + 1]).toBe(
      'gatehouse_decision_duration_seconds_bucket{rule="r",le="0.0005"} 0',
    );
    expect(lines[histogramType + 2]).toBe(
      'gatehouse_decision_duration_seconds_bucket{rule="r",le="0.001"} 1',
    );
  });

  it('measures a decision from its start time', () => {
    const metrics = new ProxyMetrics('p_');
    metrics.record('slow', 'allowed', performance.now() - 30);
    const text = metrics.render();
    // 30 ms and a little more: above the 25 ms bound, within 50 ms.
    expect(text).toContain('p_decision_duration_seconds_bucket{rule="slow",le="0.025"} 0');
    expect(text).toContain('p_decision_duration_seconds_bucket{rule="slow",le="0.05"} 1');
    expect(
      Number(/p_decision_duration_seconds_sum\{rule="slow"\} (\S+)/.exec(text)?.[1]),
    ).toBeGreaterThanOrEqual(0.03);
  });
});

import { describe, expect, it } from 'vitest';
import { PipelineError } from '../../../src/proxy/pipeline/pipeline-error.js';
import { compilePattern } from '../../../src/proxy/rule/matching/compile-pattern.js';
import type { PreparedRule } from '../../../src/proxy/rule/prepared-rule.js';
import { RuleSet } from '../../../src/proxy/rule/rule-set.js';

/** The parts of a prepared rule that matching reads; handlers play no part in it. */
function globRule(id: string, url: string, methods = ['GET']): PreparedRule {
  const open = url.indexOf('<');
  const close = url.lastIndexOf('>');
  return {
    rule: { id },
    problems: [],
    methods: new Set(methods),
    pattern: compilePattern(url, 'glob'),
    literalPrefix: open < 0 ? url : url.slice(0, open),
    literalSuffix: open < 0 ? '' : url.slice(close + 1),
  } as unknown as PreparedRule;
}

function matchedId(set: RuleSet, method: string, subject: string): string | number {
  const result = set.match(method, subject);
  return result instanceof PipelineError ? result.status : result.rule.rule.id;
}

describe('rule set matching', () => {
  const set = new RuleSet([
    globRule('any', '<**>', ['DELETE']),
    globRule('service-5', 'http://app.example/service-5/<**>'),
    globRule('service-57', 'http://app.example/service-57/<**>'),
    globRule('service-57-exact', 'http://app.example/service-57'),
    globRule('emoji', 'http://app.example/😀/<*>'),
    globRule('hosts', 'http://<*>.example/hosts'),
    globRule('overlap-a', 'http://app.example/both/<*>'),
    globRule('overlap-b', 'http://app.example/<*>/x'),
  ]);

  it.each([
    ['GET', 'http://app.example/service-5/a', 'service-5'],
    ['GET', 'http://app.example/service-57/a/b', 'service-57'],
    ['GET', 'http://app.example/service-57', 'service-57-exact'],
    ['get', 'http://app.example/service-57', 'service-57-exact'],
    ['GET', 'http://app.example/service-5', 404],
    ['GET', 'http://app.example/service-', 404],
    ['GET', 'http://app.example/service-58/a', 404],
    ['GET', 'http://app.example/😀/y', 'emoji'],
    ['GET', 'http://app.example/😁/y', 404],
    ['GET', 'http://api.example/hosts', 'hosts'],
    ['GET', 'http://app.example/both/x', 500],
    ['GET', 'http://other.example/service-5/a', 404],
    ['GET', 'http', 404],
    ['GET', '', 404],
    ['POST', 'http://app.example/service-5/a', 404],
    ['DELETE', 'http://app.example/service-5/a', 'any'],
  ])('%s %s → %s', (method, subject, expected) => {
    expect(matchedId(set, method, subject)).toBe(expected);
  });

  it('finds the same rule as trying every rule in turn', () => {
    const rules = Array.from({ length: 60 }, (_, index) =>
      globRule(`r${index}`, `http://app.example/${'ab'.repeat(index % 7)}${index}/<*>`),
    );
    const subset = new RuleSet(rules);
    for (let index = 0; index < 60; index++) {
      for (const subject of [
        `http://app.example/${'ab'.repeat(index % 7)}${index}/leaf`,
        `http://app.example/${'ab'.repeat(index % 7)}${index}`,
        `http://app.example/ab${index}/leaf`,
      ]) {
        const everyRule = rules.filter(
          (rule) => (rule.pattern as { match(s: string): { matched: boolean } }).match(subject).matched,
        );
        const expected = everyRule.length === 0 ? 404 : everyRule.length > 1 ? 500 : everyRule[0]!.rule.id;
        expect(matchedId(subset, 'GET', subject)).toBe(expected);
      }
    }
  });
});

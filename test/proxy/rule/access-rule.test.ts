import { describe, expect, it } from 'vitest';
import { parseRuleDocument, RuleDocumentError } from '../../../src/proxy/rule/access-rule.js';

describe('rule documents', () => {
  it('are read as JSON when they are JSON, as YAML otherwise', () => {
    const fromJson = parseRuleDocument(
      '[{"id":"a","match":{"url":"http://x/<**>","methods":["GET"]}}]',
      'rules.json',
    );
    const fromYaml = parseRuleDocument(
      '- id: a\n  match:\n    url: http://x/<**>\n    methods: [GET]\n',
      'rules.yml',
    );
    expect(fromJson).toEqual(fromYaml);
    expect(fromJson[0]).toMatchObject({
      id: 'a',
      match: { url: 'http://x/<**>', methods: ['GET'] },
      upstream: { url: '', preserve_host: false, strip_path: '' },
    });
  });

  it('may be empty, and ignore fields they do not know', () => {
    expect(parseRuleDocument('', 'empty.yml')).toEqual([]);
    expect(parseRuleDocument('[]', 'empty.json')).toEqual([]);
    expect(parseRuleDocument('- id: a\n  colour: blue\n', 'r.yml')[0]!.id).toBe('a');
  });

  it('reject a rule version that is not semver, and with it the whole document', () => {
    expect(() =>
      parseRuleDocument('- id: a\n  version: v0.38.0\n- id: b\n  version: latest\n', 'r.yml'),
    ).toThrow(new RuleDocumentError('r.yml: rule #2 has version "latest", which is not semver'));
  });

  it('must be a list of maps', () => {
    expect(() => parseRuleDocument('id: a\n', 'r.yml')).toThrow('r.yml: expected a list of rules');
    expect(() => parseRuleDocument('- 1\n', 'r.yml')).toThrow('r.yml: rule #1 is not a map');
    expect(() => parseRuleDocument('- id: [\n', 'r.yml')).toThrow(/^r\.yml:\d+: not valid JSON or YAML/);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GoHeader, GoUrl } from '../../src/template/go-net.js';
import { type FunctionSet, GoTemplate } from '../../src/template/go-template.js';
import { TemplateError } from '../../src/template/template-error.js';
import { GoNilMap, GoNilPointer, GoStruct, type GoValue } from '../../src/template/values.js';

/**
 * The case table that Go itself filled in (tools/template-oracle): every template, with its data
 * and options, must render to the byte what Go renders, or fail where Go fails.
 */
interface Case {
  name: string;
  template: string;
  data: unknown;
  dataKind: 'json' | 'session';
  mode: 'text' | 'html';
  funcs: FunctionSet;
  missingkey: 'default' | 'zero' | 'error';
  templates?: Record<string, string>;
  expect: { output: string } | { error: string };
}

const cases = JSON.parse(
  readFileSync(new URL('./go-template-cases.json', import.meta.url), 'utf8'),
) as Case[];

/** Oathkeeper's authentication session, as the oracle builds it in Go. */
class MatchContext extends GoStruct {
  constructor(
    public RegexpCaptureGroups: string[],
    public URL: GoUrl | GoNilPointer,
    public Method: string,
    public Header: GoHeader,
  ) {
    super();
  }
  goType() {
    return 'main.MatchContext';
  }
  override goPointer() {
    return false;
  }
}

class Session extends GoStruct {
  constructor(
    public Subject: string,
    public Extra: GoValue,
    public Header: GoHeader,
    public MatchContext: MatchContext,
  ) {
    super();
  }
  goType() {
    return '*main.Session';
  }
}

interface SessionJson {
  subject?: string;
  extra?: GoValue;
  header?: Record<string, string[]>;
  matchContext?: {
    regexpCaptureGroups?: string[];
    url?: string;
    method?: string;
    header?: Record<string, string[]>;
  };
}

function dataFor(testCase: Case): GoValue {
  if (testCase.dataKind === 'json') return structuredClone(testCase.data);
  const json = testCase.data as SessionJson;
  const match = json.matchContext ?? {};
  // Go's Session has typed fields: a nil Extra is a nil map (reads like an empty one), a nil URL a nil *url.URL.
  return new Session(
    json.subject ?? '',
    json.extra ?? new GoNilMap(),
    new GoHeader(json.header ?? {}),
    new MatchContext(
      match.regexpCaptureGroups ?? [],
      match.url ? new GoUrl(match.url) : new GoNilPointer('*url.URL'),
      match.method ?? '',
      new GoHeader(match.header ?? {}),
    ),
  );
}

function run(testCase: Case): string {
  const template = GoTemplate.parse(testCase.template, {
    functions: testCase.funcs,
    missingKey: testCase.missingkey,
    mode: testCase.mode,
    templates: testCase.templates,
    sprig: { env: {}, now: () => Date.UTC(2026, 0, 2, 3, 4, 5) },
  });
  return template.render(dataFor(testCase));
}

/**
 * Where gatehouse deliberately renders differently from Go, and why. Go distinguishes int from
 * int64; here every integer is one type, so sprig's `duration`, which reads only int64, counts
 * `duration 90` as 90 seconds (what such a template means) where Go gives 0s.
 */
const DELIBERATE_DIFFERENCES = new Map<string, string>([
  ['sprig duration of an int literal or float64 is 0s', '1m30s 0s'],
]);

describe('Go templates render as Go renders them', () => {
  it('has at least 150 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
  });

  it.each(cases.filter((testCase) => 'output' in testCase.expect))('$name', (testCase) => {
    const expected =
      DELIBERATE_DIFFERENCES.get(testCase.name) ?? (testCase.expect as { output: string }).output;
    expect(run(testCase)).toBe(expected);
  });

  it.each(cases.filter((testCase) => 'error' in testCase.expect))('$name (fails)', (testCase) => {
    expect(() => run(testCase)).toThrow(TemplateError);
  });
});

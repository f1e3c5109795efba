import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FunctionSet, functionTable, GoTemplate } from '../../src/template/go-template.js';
import { TemplateError } from '../../src/template/template-error.js';

// Pieces of template text, valid and broken, that random templates are strung together from.
const PIECES = [
  '{{',
  '}}',
  '{{-',
  '-}}',
  ' ',
  '\n',
  'text',
  '<a href="',
  '">',
  '<script>',
  '</script>',
  '<!--',
  '-->',
  '.',
  '.a',
  '.a.b',
  '.l',
  '.Extra',
  '$',
  '$x',
  ':=',
  '=',
  '|',
  '(',
  ')',
  ',',
  'if',
  'else',
  'end',
  'range',
  'with',
  'define "T"',
  'template "T"',
  'block "B" .',
  'break',
  'continue',
  'print',
  'printf "%v %d %s"',
  'index',
  'len',
  'slice',
  'and',
  'or',
  'not',
  'eq',
  'lt',
  'html',
  'js',
  'urlquery',
  'toJson',
  'default "x"',
  'upper',
  'add',
  'div',
  'printIndex',
  'dict "k"',
  'list',
  'b64dec',
  'regexMatch "("',
  '"str"',
  '`raw`',
  "'c'",
  '1',
  '-1',
  '1.5',
  '1e300',
  '0x10',
  'nil',
  'true',
  '/* c */',
  'undefinedFunction',
];

const template = fc.array(fc.constantFrom(...PIECES), { maxLength: 30 }).map((pieces) => pieces.join(''));
const data = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.record({
    a: fc.jsonValue({ maxDepth: 3 }),
    l: fc.array(fc.jsonValue({ maxDepth: 2 })),
    Extra: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })),
  }),
);
const options = fc.record({
  functions: fc.constantFrom<FunctionSet>('go', 'sprig', 'sprig-hermetic', 'oathkeeper'),
  missingKey: fc.constantFrom('default', 'zero', 'error') as fc.Arbitrary<'default' | 'zero' | 'error'>,
  mode: fc.constantFrom('text', 'html') as fc.Arbitrary<'text' | 'html'>,
});

// Built once: each table is the same for every run.
const tables = new Map(
  (['go', 'sprig', 'sprig-hermetic', 'oathkeeper'] as const).map((set) => [
    set,
    functionTable(set, { env: {} }),
  ]),
);

describe('any template and any data', () => {
  it('either render to a string or fail with a TemplateError, never anything else', () => {
    fc.assert(
      fc.property(template, data, options, (text, value, settings) => {
        try {
          const parsed = GoTemplate.parse(text, {
            ...settings,
            functionTable: tables.get(settings.functions),
          });
          expect(typeof parsed.render(value)).toBe('string');
        } catch (error) {
          if (!(error instanceof TemplateError)) throw error;
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('stop a template that invokes itself at a depth limit, with a clear error', () => {
    const looping = GoTemplate.parse('{{ define "T" }}x{{ template "T" . }}{{ end }}{{ template "T" . }}');
    expect(() => looping.render({})).toThrow(
      'template: main:1:21: executing "main" at <template "T">: exceeded maximum template depth (1000)',
    );
  });

  it('reject absurd nesting with a TemplateError instead of a stack overflow', () => {
    const text = `{{ ${'('.repeat(20_000)}1${')'.repeat(20_000)} }}`;
    expect(() => GoTemplate.parse(text).render({})).toThrow(TemplateError);
  });
});

describe('parse errors', () => {
  it.each([
    ['{{ if .x }}yes', 'template: main:1:15: unexpected EOF: {{if}} at 1:4 has no {{end}}'],
    ['a\n  {{ .x | nope }}', 'template: main:2:11: function "nope" not defined'],
    ['{{ .x ', 'template: main:1:1: unclosed action'],
    ['{{ end }}', 'template: main:1:4: unexpected {{end}}'],
    ['{{ $y }}', 'template: main:1:4: undefined variable "$y"'],
    ['{{ .a | "x" }}', 'template: main:1:9: non executable command in pipeline stage 2'],
  ])('%j names the template, the line:column and what is wrong', (text, message) => {
    expect(() => GoTemplate.parse(text, { functions: 'sprig' })).toThrow(message);
  });
});

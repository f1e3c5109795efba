/** Go's time.ParseDuration, which is what every duration in a Kratos or Oathkeeper config means. */
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/y;

/** Milliseconds in a Go duration such as `1h30m`, `250ms` or `720h`; throws on anything else. */
export function parseDuration(text: string): number {
  const input = text.trim();
  if (input === '0') return 0;
  let rest = input;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '') throw new Error(`invalid duration "${text}"`);
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < rest.length) {
    const start = PART.lastIndex;
    const match = PART.exec(rest);
    if (!match || match.index !== start || match[1] === '' || match[1] === '.') {
      throw new Error(
        `invalid duration "${text}": use a number and a unit (ns, us, ms, s, m, h), e.g. "30s"`,
      );
    }
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
  }
  return sign * total;
}

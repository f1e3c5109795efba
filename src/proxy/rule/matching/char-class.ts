/** Largest Unicode code point. */
export const MAX_CODE_POINT = 0x10ffff;

/** A Unicode property test such as `\p{Lu}`; `negate` for `\P{Lu}`. */
export interface PropertyTest {
  regexp: RegExp;
  negate: boolean;
}

/** What a character class is made of, before it is compiled into a {@link CharClass}. */
export interface CharClassSpec {
  /** Inclusive [lo, hi] pairs, in any order, possibly overlapping. */
  ranges: number[];
  properties: PropertyTest[];
  negate: boolean;
  /** (?i): the subject's character is compared case-insensitively, as .NET does. */
  fold: boolean;
  /** .NET class subtraction, `[a-z-[aeiou]]`: applied after `negate`. */
  subtract?: CharClassSpec;
}

export function emptySpec(fold = false): CharClassSpec {
  return { ranges: [], properties: [], negate: false, fold };
}

/** Sorted, merged copy of inclusive [lo, hi] pairs. */
export function normalizeRanges(ranges: readonly number[]): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < ranges.length; i += 2) pairs.push([ranges[i]!, ranges[i + 1]!]);
  pairs.sort((x, y) => x[0] - y[0]);
  const merged: number[] = [];
  for (const [lo, hi] of pairs) {
    const last = merged.length - 1;
    if (last > 0 && lo <= merged[last]! + 1) {
      if (hi > merged[last]!) merged[last] = hi;
    } else {
      merged.push(lo, hi);
    }
  }
  return merged;
}

/** The code points not in `ranges` (which must be normalized). */
export function complementRanges(ranges: readonly number[]): number[] {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    if (ranges[i]! > next) out.push(next, ranges[i]! - 1);
    next = ranges[i + 1]! + 1;
  }
  if (next <= MAX_CODE_POINT) out.push(next, MAX_CODE_POINT);
  return out;
}

/** Simple (one code point to one code point) lower-case mapping; anything else maps to itself. */
export function toLowerCodePoint(cp: number): number {
  if (cp < 0x80) return cp >= 0x41 && cp <= 0x5a ? cp + 0x20 : cp;
  const lower = String.fromCodePoint(cp).toLowerCase();
  const mapped = lower.codePointAt(0)!;
  return lower.length === (mapped > 0xffff ? 2 : 1) ? mapped : cp;
}

export function toUpperCodePoint(cp: number): number {
  if (cp < 0x80) return cp >= 0x61 && cp <= 0x7a ? cp - 0x20 : cp;
  const upper = String.fromCodePoint(cp).toUpperCase();
  const mapped = upper.codePointAt(0)!;
  return upper.length === (mapped > 0xffff ? 2 : 1) ? mapped : cp;
}

function inRanges(ranges: Int32Array, cp: number): boolean {
  let lo = 0;
  let hi = (ranges.length >> 1) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < ranges[mid * 2]!) hi = mid - 1;
    else if (cp > ranges[mid * 2 + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
}

/**
 * A compiled character class. Membership of ASCII code points is precomputed into a table (the
 * hot path: URLs are mostly ASCII); other code points are tested against sorted ranges and
 * Unicode property expressions.
 */
export class CharClass {
  private readonly ascii = new Uint8Array(128);
  private readonly ranges: Int32Array;
  private readonly properties: readonly PropertyTest[];
  private readonly negate: boolean;
  private readonly fold: boolean;
  private readonly subtract: CharClass | undefined;

  constructor(spec: CharClassSpec) {
    this.ranges = Int32Array.from(normalizeRanges(spec.ranges));
    this.properties = spec.properties;
    this.negate = spec.negate;
    this.fold = spec.fold;
    this.subtract = spec.subtract ? new CharClass(spec.subtract) : undefined;
    for (let cp = 0; cp < 128; cp++) this.ascii[cp] = this.compute(cp) ? 1 : 0;
  }

  has(cp: number): boolean {
    return cp < 128 ? this.ascii[cp] === 1 : this.compute(cp);
  }

  private compute(cp: number): boolean {
    // .NET lowers the subject's character and tests it against the class plus its lower-case
    // image; testing the character, its lower and its upper case is the same for simple mappings.
    let inside = this.base(cp);
    if (!inside && this.fold) {
      const lower = toLowerCodePoint(cp);
      const upper = toUpperCodePoint(cp);
      inside = (lower !== cp && this.base(lower)) || (upper !== cp && this.base(upper));
    }
    if (inside === this.negate) return false;
    return this.subtract === undefined || !this.subtract.has(cp);
  }

  private base(cp: number): boolean {
    if (inRanges(this.ranges, cp)) return true;
    if (this.properties.length === 0) return false;
    const text = String.fromCodePoint(cp);
    for (const property of this.properties) {
      if (property.regexp.test(text) !== property.negate) return true;
    }
    return false;
  }
}

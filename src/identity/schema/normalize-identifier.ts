import { parseMailAddress } from './email-address.js';

/**
 * Identifier normalisation as Kratos does it (Kratos source: x/normalize.go), so that
 * `Alice@Example.COM`, ` alice@example.com ` and `ａｌｉｃｅ@example.com` are one account, and an
 * invisible character cannot make a second account that looks the same.
 *
 * Kratos runs a PRECIS FreeformClass profile (golang.org/x/text/secure/precis) with lower-casing
 * and NFKC, and disallows control, format, private-use, unassigned, default-ignorable,
 * non-character and bidi-control code points. When that strict pass fails it falls back to a
 * graceful one that strips the disallowed code points and still lower-cases and NFKC-folds.
 *
 * Left out: the RFC 5893 bidi rule of the strict pass (it only decides between two paths that
 * give the same result for ordinary text), and E.164 rewriting of phone numbers (Kratos uses
 * libphonenumber, which gatehouse does not ship), so `+1 650-253-0000` stays as typed.
 */

// Go's strings.TrimSpace trims Unicode White_Space (U+0085 and U+00A0 included, U+FEFF not).
const GO_SPACE = /^\p{White_Space}+|\p{White_Space}+$/gu;

// Code points the profile rejects whatever surrounds them: PRECIS disallows controls,
// unassigned, default-ignorable, non-characters, conjoining Hangul jamo, line/paragraph
// separators and a few listed exceptions (RFC 5892 §2.6); Kratos adds all of category C
// (format, private use, surrogates) and the bidi controls.
const DISALLOWED =
  /[\p{C}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\p{Noncharacter_Code_Point}\u1100-\u11FF\uA960-\uA97C\uD7B0-\uD7C6\uD7CB-\uD7FB\u0640\u07FA\u302E\u302F\u3031-\u3035\u303B]/u;

// Allowed only in context (RFC 5892 appendix A); the graceful pass strips them like the rest.
const CONTEXTUAL = /[\u00B7\u0375\u05F3\u05F4\u0660-\u0669\u06F0-\u06F9]/u;
const GREEK = /\p{Script=Greek}/u;
const HEBREW = /\p{Script=Hebrew}/u;
const JAPANESE = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u;
const KATAKANA_MIDDLE_DOT = 0x30fb;

/** Go's strings.TrimSpace. */
export function trimSpace(value: string): string {
  return value.replace(GO_SPACE, '');
}

/**
 * Kratos' graceful identifier normalisation (`GracefulNormalization`): what password and code
 * identifiers and stored addresses are compared by. Use it on write and on lookup.
 */
export function normalizeIdentifier(value: string): string {
  // Kratos canonicalises twice on this path (once, then again per detected kind); the second
  // pass matters when NFKC produces an upper-case letter (`ℌ` → `H` → `h`).
  return canonicalize(canonicalize(value));
}

/** Kratos' `NormalizeEmailIdentifier`: one canonicalisation, never fails. */
export function normalizeEmailAddress(value: string): string {
  return canonicalize(value);
}

/**
 * The strict e-mail normalisation verification and code addresses get (`NormalizeIdentifier(v,
 * "email")`): undefined when the value has a disallowed code point or is no address.
 */
export function normalizeEmailStrict(value: string): string | undefined {
  const enforced = enforce(trimSpace(value));
  return enforced === undefined ? undefined : parseMailAddress(enforced);
}

function canonicalize(value: string): string {
  const trimmed = trimSpace(value);
  const strict = enforce(trimmed);
  if (strict !== undefined) return strict;
  // Graceful order: NFKC, strip, then lower-case (here with the Greek final-sigma rule).
  let stripped = '';
  for (const char of trimmed.normalize('NFKC')) {
    if (!DISALLOWED.test(char) && !CONTEXTUAL.test(char)) stripped += char;
  }
  return stripped.toLowerCase();
}

/** The strict PRECIS pass: lower-case, NFKC, then every code point checked. */
function enforce(value: string): string | undefined {
  // PRECIS lower-cases without the final-sigma rule that String#toLowerCase applies. Width folding
  // is not done separately: NFKC maps the same full- and half-width forms.
  const mapped = value.replaceAll('Σ', 'σ').toLowerCase().normalize('NFKC');
  const chars = [...mapped];
  if (chars.length === 0) return undefined;
  let japanese = false;
  let needsJapanese = false;
  let arabicIndic = false;
  let extendedArabicIndic = false;
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i]!;
    const code = char.codePointAt(0)!;
    if (JAPANESE.test(char)) japanese = true;
    if (code === KATAKANA_MIDDLE_DOT) needsJapanese = true;
    if (CONTEXTUAL.test(char)) {
      const before = chars[i - 1];
      const after = chars[i + 1];
      if (code === 0x00b7) {
        if (before !== 'l' || after !== 'l') return undefined;
      } else if (code === 0x0375) {
        if (after === undefined || !GREEK.test(after)) return undefined;
      } else if (code === 0x05f3 || code === 0x05f4) {
        if (before === undefined || !HEBREW.test(before)) return undefined;
      } else if (code <= 0x0669) {
        arabicIndic = true;
      } else {
        extendedArabicIndic = true;
      }
      continue;
    }
    if (DISALLOWED.test(char)) return undefined;
  }
  if (arabicIndic && extendedArabicIndic) return undefined;
  if (needsJapanese && !japanese) return undefined;
  return mapped;
}

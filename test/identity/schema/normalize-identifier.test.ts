import { describe, expect, it } from 'vitest';
import {
  normalizeEmailAddress,
  normalizeIdentifier,
} from '../../../src/identity/schema/normalize-identifier.js';

describe('identifier normalisation (as Kratos x/normalize.go)', () => {
  it.each([
    ['trims and lower-cases', '  Alice@Example.COM ', 'alice@example.com'],
    ['trims Unicode white space, as Go does', '\u00a0alice@example.com\u3000', 'alice@example.com'],
    ['folds full-width letters (NFKC)', 'ａｌｉｃｅ@example.com', 'alice@example.com'],
    ['folds ligatures (NFKC)', 'oﬃce@example.com', 'office@example.com'],
    ['drops a zero-width space', 'alice\u200b@example.com', 'alice@example.com'],
    ['drops a soft hyphen', 'Alice\u00ad@example.com', 'alice@example.com'],
    ['drops bidi controls', '\u202aalice@example.com\u202c', 'alice@example.com'],
    ['drops a Hangul filler (default-ignorable letter)', 'alic\u3164e', 'alice'],
    ['drops a variation selector', 'alic\ufe0fe', 'alice'],
    ['still folds case when it drops something', 'ALICE\u200bSMITH', 'alicesmith'],
    ['drops control characters', 'Tab\tinside', 'tabinside'],
    ['keeps emoji', 'alice🎉', 'alice🎉'],
    ['keeps right-to-left scripts', 'ALICEא', 'aliceא'],
    ['keeps a Catalan middle dot between two l', 'col·legi', 'col·legi'],
    ['drops a middle dot elsewhere', 'a·b@example.com', 'ab@example.com'],
    ['lower-cases sigma without the final form', 'ΟΔΥΣΣΕΥΣ', 'οδυσσευσ'],
    ['lower-cases what NFKC turns into a capital', 'ℌello', 'hello'],
    ['gives empty for blank', '   ', ''],
    ['leaves phone numbers as typed (no E.164 rewriting)', '+1 650-253-0000', '+1 650-253-0000'],
  ])('%s: %j → %j', (_name, input, expected) => {
    expect(normalizeIdentifier(input)).toBe(expected);
  });

  it('canonicalises recovery e-mail addresses once, as NormalizeEmailIdentifier', () => {
    expect(normalizeEmailAddress('  Bob@Example.COM ')).toBe('bob@example.com');
    // One pass only: NFKC's capital survives, where the identifier path lower-cases it again.
    expect(normalizeEmailAddress('ℌ@example.com')).toBe('H@example.com');
  });
});

import { isPlainObject } from '../../config/object-path.js';
import { isEmailAddress } from './email-address.js';
import { goQuote, pointerToken } from './go-formatting.js';
import {
  type AddressVia,
  EXTENSION_KEYWORD,
  type TraitAnnotation,
  type TraitPathSegment,
} from './kratos-extension.js';
import {
  normalizeEmailAddress,
  normalizeEmailStrict,
  normalizeIdentifier,
  trimSpace,
} from './normalize-identifier.js';
import { isTelephoneNumber } from './schema-formats.js';
import type { TraitsValidationCause } from './traits-validation-error.js';

export interface TraitAddress {
  value: string;
  via: AddressVia;
}

/** What a schema's `ory.sh/kratos` annotations make of one identity's traits. */
export interface TraitIdentifiers {
  /** `credentials.password.identifiers`, normalised, first occurrence first. */
  passwordIdentifiers: string[];
  /** `credentials.code` addresses, sorted by value then via, as Kratos stores them. */
  codeIdentifiers: TraitAddress[];
  verifiableAddresses: TraitAddress[];
  recoveryAddresses: TraitAddress[];
}

/** A value in `{"traits": ...}` and its instance pointer (`#/traits/emails/0`). */
export interface TraitValue {
  pointer: string;
  value: unknown;
}

/**
 * Identifiers and addresses of traits that passed validation. Pure: values an annotation cannot
 * use (not a string, or an address that would have failed validation) are normalised gracefully
 * or skipped, never thrown about.
 *
 * Values are stored as Kratos stores them: each is normalised by its extension and then once
 * more by the persister's graceful normalisation (Kratos source: identity/extension_*.go,
 * persistence/sql/identity/persister_identity.go).
 */
export function extractTraitIdentifiers(
  annotations: readonly TraitAnnotation[],
  traits: unknown,
): TraitIdentifiers {
  const password = new Set<string>();
  const code = new Map<string, TraitAddress>();
  const verifiable = new Map<string, TraitAddress>();
  const recovery = new Map<string, TraitAddress>();
  // Addresses are one when their channel and graceful forms agree.
  const add = (into: Map<string, TraitAddress>, via: AddressVia, value: string) => {
    const stored = normalizeIdentifier(value);
    const key = `${via}\u0000${stored}`;
    if (!into.has(key)) into.set(key, { value: stored, via });
  };

  for (const annotation of annotations) {
    for (const { value } of traitValuesAt(traits, annotation.path)) {
      const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
      if (text === undefined) continue;
      if (annotation.passwordIdentifier) password.add(normalizeIdentifier(text));
      const codeVia = annotation.codeIdentifier?.via;
      if (codeVia === 'email' && annotation.format && annotation.format !== 'email') {
        // A lax format (`no-validate`): the schema's own pattern gates the value.
        add(code, 'email', text);
      } else if (codeVia === 'email') {
        add(code, 'email', normalizeEmailStrict(text) ?? text);
      } else if (codeVia === 'sms') {
        add(code, 'sms', text);
      }
      if (typeof value !== 'string') continue;
      const verification = annotation.verificationVia;
      if (verification !== undefined) {
        const format = annotation.format || (verification === 'email' ? 'email' : '');
        if (format === 'email' || format === 'tel') {
          add(
            verifiable,
            verification,
            verification === 'email' ? (normalizeEmailStrict(value) ?? value) : value,
          );
        } else if (format !== '') {
          add(verifiable, verification, trimSpace(value));
        }
      }
      if (annotation.recoveryVia === 'email') add(recovery, 'email', normalizeEmailAddress(value));
      else if (annotation.recoveryVia === 'sms') add(recovery, 'sms', value);
    }
  }

  const codeIdentifiers = [...code.values()].sort((a, b) =>
    a.value === b.value ? compare(a.via, b.via) : compare(a.value, b.value),
  );
  return {
    passwordIdentifiers: [...password],
    codeIdentifiers,
    verifiableAddresses: [...verifiable.values()],
    recoveryAddresses: [...recovery.values()],
  };
}

/**
 * What Kratos' extensions refuse while validating (Kratos source: identity/extension_*.go): an
 * address that is not an e-mail address, cannot be normalised, or has no format to be checked by.
 * As in Kratos, a value gets at most one such problem: the extensions run in order (credentials,
 * verification, recovery) and the first refusal ends the run.
 */
export function extensionProblems(
  annotations: readonly TraitAnnotation[],
  traits: unknown,
): TraitsValidationCause[] {
  const problems: TraitsValidationCause[] = [];
  for (const annotation of annotations) {
    for (const { pointer, value } of traitValuesAt(traits, annotation.path)) {
      if (typeof value !== 'string') continue;
      const found = firstProblem(annotation, value);
      if (found) problems.push({ instancePtr: pointer, keyword: 'ory.sh/kratos', ...found });
    }
  }
  return problems;
}

function firstProblem(
  annotation: TraitAnnotation,
  value: string,
): { schemaPtr: string; message: string } | undefined {
  const atFormat = (message: string) => ({ schemaPtr: `${annotation.schemaPointer}/format`, message });
  const notEmail = atFormat(`${goQuote(value)} is not valid "email"`);
  const lax = annotation.format !== undefined && annotation.format !== '' && annotation.format !== 'email';

  const code = annotation.codeIdentifier;
  if (code && code.via !== 'email' && code.via !== 'sms') {
    return {
      schemaPtr: `${annotation.schemaPointer}/${pointerToken(EXTENSION_KEYWORD)}/credentials/code/via`,
      message: `channel type ${goQuote(code.via ?? '')} must be one of email, sms`,
    };
  }
  if (code?.via === 'email' && !lax && normalizeEmailStrict(value) === undefined) {
    return atFormat(`${goQuote(value)} can not be normalized for format "email"`);
  }
  if (code?.via === 'sms' && !isTelephoneNumber(value))
    return atFormat(`${goQuote(value)} is not valid "tel"`);

  const verification = annotation.verificationVia;
  if (verification !== undefined) {
    let format = annotation.format ?? '';
    if (format === '' && verification === 'sms') {
      return atFormat(
        'no format specified. Addresses verified by sms need a format ("tel"), or "no-validate" to skip the check',
      );
    }
    if (format === '') {
      if (!isEmailAddress(value)) return notEmail;
      format = 'email';
    }
    const unusable =
      verification === 'email' ? normalizeEmailStrict(value) === undefined : !isTelephoneNumber(value);
    if ((format === 'email' || format === 'tel') && unusable) {
      return atFormat(`${goQuote(value)} can not be normalized for format ${goQuote(format)}`);
    }
  }

  if (annotation.recoveryVia === 'email' && !lax && !isEmailAddress(value)) return notEmail;
  if (annotation.recoveryVia === 'sms' && !isTelephoneNumber(value)) {
    return atFormat(`${goQuote(value)} is not valid "tel" for "sms"`);
  }
  return undefined;
}

/** The values `path` reaches in `{"traits": traits}`, in document order. */
export function traitValuesAt(traits: unknown, path: readonly TraitPathSegment[]): TraitValue[] {
  let current: TraitValue[] = [{ pointer: '#', value: { traits } }];
  for (const segment of path) {
    const next: TraitValue[] = [];
    for (const { pointer, value } of current) {
      if (segment.kind === 'index' || segment.kind === 'items') {
        if (!Array.isArray(value)) continue;
        const from = segment.kind === 'index' ? segment.index : segment.from;
        const to = segment.kind === 'index' ? Math.min(segment.index + 1, value.length) : value.length;
        for (let i = from; i < to; i++) next.push({ pointer: `${pointer}/${i}`, value: value[i] });
        continue;
      }
      if (!isPlainObject(value)) continue;
      for (const [key, child] of Object.entries(value)) {
        if (!keyMatches(segment, key)) continue;
        next.push({ pointer: `${pointer}/${pointerToken(key)}`, value: child });
      }
    }
    current = next;
  }
  return current;
}

function keyMatches(segment: Exclude<TraitPathSegment, { kind: 'index' | 'items' }>, key: string): boolean {
  switch (segment.kind) {
    case 'property':
      return key === segment.name;
    case 'pattern':
      return matches(segment.pattern, key);
    case 'additional':
      return !segment.known.includes(key) && !segment.patterns.some((pattern) => matches(pattern, key));
  }
}

function matches(pattern: string, key: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(key);
  } catch {
    return false;
  }
}

// Go compares strings byte-wise (UTF-8), which orders as code points do.
function compare(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const difference = left[i]!.codePointAt(0)! - right[i]!.codePointAt(0)!;
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

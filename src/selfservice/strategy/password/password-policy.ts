import { getPath, type JsonObject } from '../../../config/object-path.js';
import { BCRYPT_MAX_PASSWORD_BYTES } from '../../../hash/formats/bcrypt.js';
import { HttpError } from '../../../http/http-error.js';
import type { HaveIBeenPwned } from './haveibeenpwned.js';

/** A message for the `password` node, in Kratos' `uiText` shape. */
export interface PolicyMessage {
  id: number;
  text: string;
  type: 'error';
  /** Absent where Kratos sends none (4000031). */
  context?: Record<string, unknown>;
}

/** `selfservice.methods.password.config` of the Kratos config (the v0.5 `password.*` keys end up here). */
export interface PasswordPolicyConfig {
  haveIBeenPwnedEnabled: boolean;
  haveIBeenPwnedHost: string;
  /** How many breaches a password may have been seen in; 0 refuses any. */
  maxBreaches: number;
  /** Whether an unreachable or failing range API lets the password through. */
  ignoreNetworkErrors: boolean;
  /** In bytes of UTF-8, as Kratos counts. */
  minPasswordLength: number;
  identifierSimilarityCheckEnabled: boolean;
}

const CONFIG_PATH = ['selfservice', 'methods', 'password', 'config'];

/** Reads the policy; the fallbacks repeat the schema's defaults (and Kratos' own). */
export function readPasswordPolicyConfig(document: JsonObject): PasswordPolicyConfig {
  const key = (name: string) => getPath(document, [...CONFIG_PATH, name]);
  return {
    haveIBeenPwnedEnabled: (key('haveibeenpwned_enabled') as boolean | undefined) ?? true,
    haveIBeenPwnedHost: (key('haveibeenpwned_host') as string | undefined) ?? 'api.pwnedpasswords.com',
    maxBreaches: (key('max_breaches') as number | undefined) ?? 0,
    ignoreNetworkErrors: (key('ignore_network_errors') as boolean | undefined) ?? true,
    minPasswordLength: (key('min_password_length') as number | undefined) ?? 8,
    identifierSimilarityCheckEnabled:
      (key('identifier_similarity_check_enabled') as boolean | undefined) ?? true,
  };
}

export interface PasswordPolicyOptions {
  config: PasswordPolicyConfig;
  /** The range client, for `config.haveIBeenPwnedHost`; required when the check is enabled. */
  pwnedPasswords?: Pick<HaveIBeenPwned, 'lookup'>;
}

// The similarity check is O(n·m); like Kratos, skip it for operands over this many bytes (no
// real identifier is that long, and an attacker must not choose the cost).
const MAX_SIMILARITY_OPERAND_BYTES = 256;
// Kratos' thresholds: an edit distance below 5, or a common run longer than half the password.
const MIN_DISTANCE = 5;
const MAX_COMMON_SHARE = 0.5;

/**
 * The password rules of registration and settings, as Kratos' default validator applies them
 * (login and admin imports do not check them):
 *
 * 1. at least `min_password_length` bytes (4000032);
 * 2. not too similar to any identifier (4000031), when enabled;
 * 3. seen in at most `max_breaches` breaches according to haveibeenpwned (4000034), when enabled.
 *
 * bcrypt's 72-byte limit (4000033) is not part of it: Kratos enforces it in the hasher, after
 * these rules at registration, so gatehouse's hasher throws PasswordTooLongError and the
 * strategy answers with passwordTooLongMessage.
 */
export class PasswordPolicy {
  readonly #config: PasswordPolicyConfig;
  readonly #pwnedPasswords: Pick<HaveIBeenPwned, 'lookup'> | undefined;

  constructor(options: PasswordPolicyOptions) {
    if (options.config.haveIBeenPwnedEnabled && !options.pwnedPasswords) {
      throw new TypeError('haveibeenpwned_enabled needs a range client (pwnedPasswords)');
    }
    this.#config = options.config;
    this.#pwnedPasswords = options.pwnedPasswords;
  }

  /**
   * The first rule the password breaks, or undefined. Throws an HttpError (502 `upstream_error`)
   * when the breach check fails and the failure is not to be ignored, as Kratos answers then.
   */
  async check(identifiers: readonly string[], password: string): Promise<PolicyMessage | undefined> {
    // Kratos runs every rule once per identifier and stops at the first complaint: a breach is
    // therefore reported before the password's likeness to a later identifier. Without any
    // identifier (Kratos refuses that registration before the policy runs) the other rules apply.
    for (const identifier of identifiers.length > 0 ? identifiers : ['']) {
      const message = await this.#checkAgainst(identifier, password);
      if (message) return message;
    }
    return undefined;
  }

  async #checkAgainst(identifier: string, password: string): Promise<PolicyMessage | undefined> {
    const config = this.#config;
    const length = Buffer.byteLength(password, 'utf8');
    if (length < config.minPasswordLength) return tooShort(config.minPasswordLength, length);
    if (config.identifierSimilarityCheckEnabled && isTooSimilar(identifier, password)) return tooSimilar();
    if (!config.haveIBeenPwnedEnabled) return undefined;

    const answer = await this.#pwnedPasswords!.lookup(password);
    switch (answer.kind) {
      case 'counted':
        return answer.breaches > config.maxBreaches ? breached(answer.breaches) : undefined;
      case 'unreachable':
      case 'unexpected_status':
        if (config.ignoreNetworkErrors) return undefined;
        throw new HttpError({
          code: 502,
          id: 'upstream_error',
          message: 'Leaked password server unavailable',
          reason:
            answer.kind === 'unreachable'
              ? 'Unable to check if password has been leaked because an unexpected network error occurred'
              : 'Unexpected status code from haveibeenpwned.com',
        });
      case 'malformed_count':
        // Not a network error to Kratos, so ignore_network_errors does not cover it.
        throw new HttpError({
          code: 502,
          id: 'upstream_error',
          message: 'Upstream error',
          reason: `Expected password hash to contain a count formatted as int but got: ${answer.value}`,
        });
      case 'invalid_address':
        // Kratos fails to build the request and reports the error as a generic policy violation.
        return policyViolation(`the haveibeenpwned_host "${answer.host}" does not form a valid URL`);
    }
  }
}

/** 4000033, for a password the bcrypt hasher refused (PasswordTooLongError). */
export function passwordTooLongMessage(password: string): PolicyMessage {
  const length = Buffer.byteLength(password, 'utf8');
  return {
    id: 4000033,
    text: `The password must be at most ${BCRYPT_MAX_PASSWORD_BYTES} characters long, but got ${length}.`,
    type: 'error',
    // Kratos marshals a Go map: keys in sorted order.
    context: { actual_length: length, max_length: BCRYPT_MAX_PASSWORD_BYTES },
  };
}

function tooShort(minLength: number, actualLength: number): PolicyMessage {
  return {
    id: 4000032,
    text: `The password must be at least ${minLength} characters long, but got ${actualLength}.`,
    type: 'error',
    context: { actual_length: actualLength, min_length: minLength },
  };
}

function tooSimilar(): PolicyMessage {
  return {
    id: 4000031,
    text: 'The password can not be used because it is too similar to the identifier.',
    type: 'error',
  };
}

function breached(breaches: number): PolicyMessage {
  return {
    id: 4000034,
    text: 'The password has been found in data breaches and must no longer be used.',
    type: 'error',
    context: { breaches },
  };
}

function policyViolation(reason: string): PolicyMessage {
  return {
    id: 4000005,
    text: `The password can not be used because ${reason}.`,
    type: 'error',
    context: { reason },
  };
}

function isTooSimilar(identifier: string, password: string): boolean {
  if (identifier === '') return false;
  if (
    Buffer.byteLength(identifier, 'utf8') > MAX_SIMILARITY_OPERAND_BYTES ||
    Buffer.byteLength(password, 'utf8') > MAX_SIMILARITY_OPERAND_BYTES
  ) {
    return false;
  }
  const id = goToLower(wellFormed(identifier));
  const pw = goToLower(wellFormed(password));
  // Lower-casing can lengthen a string (Ⱥ is 2 bytes, ⱥ 3), so the bound is checked again.
  const pwBytes = Buffer.byteLength(pw, 'utf8');
  if (
    Buffer.byteLength(id, 'utf8') > MAX_SIMILARITY_OPERAND_BYTES ||
    pwBytes > MAX_SIMILARITY_OPERAND_BYTES
  ) {
    return false;
  }
  // The share divides by the password's bytes, not its characters, as Kratos does.
  return editDistance(id, pw) < MIN_DISTANCE || goCommonRun(id, pw) / pwBytes > MAX_COMMON_SHARE;
}

// Go reads a lone surrogate (which JSON.parse lets through) as U+FFFD; comparing the same way
// keeps two different lone surrogates equal, as they are to Kratos.
function wellFormed(value: string): string {
  return value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

// Go's strings.ToLower maps each character on its own (simple case mapping). Lower-casing one
// character at a time does the same in JavaScript (no final-sigma rule), except for U+0130,
// whose full mapping is "i" + U+0307 where Go gives a plain "i".
function goToLower(value: string): string {
  let lower = '';
  for (const char of value) lower += char === '\u0130' ? 'i' : char.toLowerCase();
  return lower;
}

/** Levenshtein distance over characters (code points), as the Go library Kratos uses counts. */
function editDistance(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      const substitution = previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[y.length]!;
}

/**
 * The longest common substring's length in characters, with Kratos' quirk kept: its table is
 * indexed by byte offsets while characters are compared whole, so a run only continues past a
 * single-byte character; after a multi-byte one the next match starts a new run.
 */
function goCommonRun(a: string, b: string): number {
  const xs = characterOffsets(a);
  const ys = characterOffsets(b);
  const width = Buffer.byteLength(b, 'utf8');
  const runs = new Uint16Array(Buffer.byteLength(a, 'utf8') * width);
  let longest = 0;
  for (const x of xs) {
    for (const y of ys) {
      if (x.codePoint !== y.codePoint) continue;
      const run = x.offset > 0 && y.offset > 0 ? runs[(x.offset - 1) * width + y.offset - 1]! + 1 : 1;
      runs[x.offset * width + y.offset] = run;
      if (run > longest) longest = run;
    }
  }
  return longest;
}

function characterOffsets(value: string): { codePoint: number; offset: number }[] {
  const characters: { codePoint: number; offset: number }[] = [];
  let offset = 0;
  for (const char of value) {
    const codePoint = char.codePointAt(0)!;
    characters.push({ codePoint, offset });
    offset += codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
  }
  return characters;
}

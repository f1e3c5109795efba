import { KeySetError } from './key-set-error.js';

/** A JSON Web Key as read from a file: the registered members typed, anything else kept as is. */
export interface JWK {
  kty?: string;
  kid?: string;
  alg?: string;
  use?: string;
  crv?: string;
  n?: string;
  e?: string;
  d?: string;
  x?: string;
  y?: string;
  [member: string]: unknown;
}

export interface JsonWebKeySet {
  keys: JWK[];
}

// Lookup tables are Maps, not object literals: a key type read from a file ("constructor",
// "__proto__") must never find an inherited property.

/** Members that carry key material, by key type. Only these (and the metadata below) are read. */
const PUBLIC_MEMBERS = new Map<string, readonly string[]>([
  ['RSA', ['n', 'e']],
  ['EC', ['crv', 'x', 'y']],
  ['OKP', ['crv', 'x']],
]);
const PRIVATE_MEMBERS = new Map<string, readonly string[]>([
  ['RSA', ['d', 'p', 'q', 'dp', 'dq', 'qi']],
  ['EC', ['d']],
  ['OKP', ['d']],
  ['oct', ['k']],
]);
const METADATA_MEMBERS = ['kid', 'alg', 'use', 'key_ops'] as const;
const CURVES = new Map<string, readonly string[]>([
  ['EC', ['P-256', 'P-384', 'P-521']],
  ['OKP', ['Ed25519']],
]);

/** Which algorithms fit which key: an RSA key cannot sign ES256, a P-256 key cannot sign ES384. */
export const ALGORITHMS_BY_KEY = new Map<string, readonly string[]>([
  ['RSA', ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']],
  ['EC:P-256', ['ES256']],
  ['EC:P-384', ['ES384']],
  ['EC:P-521', ['ES512']],
  ['OKP:Ed25519', ['EdDSA']],
]);

export function isPrivateKey(jwk: JWK): boolean {
  return jwk.kty !== 'oct' && typeof jwk.d === 'string';
}

export function isSymmetricKey(jwk: JWK): boolean {
  return jwk.kty === 'oct';
}

/** How a key is named in messages: its kid, or its position when it has none. */
export function describeKey(jwk: JWK, index: number): string {
  return typeof jwk.kid === 'string' && jwk.kid !== '' ? `key "${jwk.kid}"` : `key #${index + 1} (no kid)`;
}

/**
 * The public half of a key: only the members that describe the public key, plus kid, alg and use.
 * Built from an allow-list, so private members and anything unknown (including gatehouse's own
 * rotation notes) can never be published. Symmetric keys have no public half: undefined.
 */
export function publicPart(jwk: JWK): JWK | undefined {
  const members = PUBLIC_MEMBERS.get(jwk.kty ?? '');
  if (!members) return undefined;
  const result: Record<string, unknown> = {};
  for (const name of ['use', 'kty', 'kid', 'alg'] as const)
    if (jwk[name] !== undefined) result[name] = jwk[name];
  for (const name of members) if (jwk[name] !== undefined) result[name] = jwk[name];
  return result as JWK;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Checks the shape of one key: known type, key members present and base64url-encoded. Returns the
 * problems as messages naming the key; empty when the key is well-formed.
 */
export function keyShapeProblems(jwk: JWK, index: number): string[] {
  const name = describeKey(jwk, index);
  const problems: string[] = [];
  const kty = jwk.kty;
  if (typeof kty !== 'string' || !PRIVATE_MEMBERS.has(kty)) {
    return [`${name}: unknown key type ${JSON.stringify(kty ?? null)}; expected RSA, EC or OKP`];
  }
  const members = kty === 'oct' ? PRIVATE_MEMBERS.get('oct')! : PUBLIC_MEMBERS.get(kty)!;
  for (const member of members) {
    const value = jwk[member];
    if (member === 'crv') {
      const curves = CURVES.get(kty) ?? [];
      if (typeof value !== 'string') problems.push(`${name}: member "crv" is missing`);
      else if (!curves.includes(value)) {
        problems.push(
          `${name}: unsupported curve ${JSON.stringify(value)}; supported for ${kty}: ${curves.join(', ')}`,
        );
      }
      continue;
    }
    if (typeof value !== 'string' || value === '') problems.push(`${name}: member "${member}" is missing`);
    else if (!BASE64URL.test(value)) problems.push(`${name}: member "${member}" is not base64url`);
  }
  if (isPrivateKey(jwk)) {
    for (const member of PRIVATE_MEMBERS.get(kty)!) {
      const value = jwk[member];
      if (value === undefined && member !== 'd') continue;
      if (typeof value !== 'string' || !BASE64URL.test(value))
        problems.push(`${name}: member "${member}" is not base64url`);
    }
  }
  for (const member of METADATA_MEMBERS) {
    if (member !== 'key_ops' && jwk[member] !== undefined && typeof jwk[member] !== 'string') {
      problems.push(`${name}: member "${member}" must be a string`);
    }
  }
  return problems;
}

/** The algorithm family a key belongs to (`RSA`, `EC:P-256`, `OKP:Ed25519`). */
export function keyFamily(jwk: JWK): string {
  return jwk.kty === 'RSA' ? 'RSA' : `${jwk.kty}:${jwk.crv}`;
}

/**
 * Parses key-set JSON. A syntax error is reported by line and column only: Node's own message
 * quotes the text around the error, which in a key file is key material.
 */
export function parseKeySetJson(text: string, source: string): JsonWebKeySet {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    const position = firstJsonSyntaxError(text);
    const where = position === undefined ? '' : ` at ${lineAndColumn(text, position)}`;
    throw new KeySetError(`${source}: not valid JSON${where}`);
  }
  if (typeof data !== 'object' || data === null || !Array.isArray((data as JsonWebKeySet).keys)) {
    throw new KeySetError(`${source}: not a JSON Web Key Set: expected {"keys": [...]}`);
  }
  const keys = (data as JsonWebKeySet).keys;
  keys.forEach((key, index) => {
    if (typeof key !== 'object' || key === null || Array.isArray(key)) {
      throw new KeySetError(`${source}: keys[${index}] is not a JSON object`);
    }
  });
  return data as JsonWebKeySet;
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before[before.length - 1]!.length + 1}`;
}

/**
 * Offset of the first character that makes `text` invalid JSON, or undefined when none is found.
 * Node's own messages cannot be used for this: some give no position, others quote the text.
 */
export function firstJsonSyntaxError(text: string): number | undefined {
  let at = 0;
  class SyntaxAt {
    constructor(readonly offset: number) {}
  }
  const fail = (offset = at): never => {
    throw new SyntaxAt(offset);
  };
  const skipSpace = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at]!)) at++;
  };
  const expect = (char: string) => {
    if (text[at] !== char) fail();
    at++;
  };
  const readLiteral = (word: string) => {
    for (const char of word) expect(char);
  };
  const readString = () => {
    expect('"');
    while (text[at] !== '"') {
      if (at >= text.length || text.charCodeAt(at) < 0x20) fail();
      if (text[at] === '\\') {
        at++;
        if (text[at] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) fail(at + 1);
          at += 4;
        } else if (!'"\\/bfnrt'.includes(text[at] ?? '')) {
          fail();
        }
      }
      at++;
    }
    at++;
  };
  const readNumber = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at));
    if (!match) fail();
    at += match![0].length;
  };
  const readValue = (): void => {
    skipSpace();
    switch (text[at]) {
      case '{':
        at++;
        skipSpace();
        if (text[at] === '}') {
          at++;
          break;
        }
        for (;;) {
          skipSpace();
          readString();
          skipSpace();
          expect(':');
          readValue();
          skipSpace();
          if (text[at] !== ',') break;
          at++;
        }
        expect('}');
        break;
      case '[':
        at++;
        skipSpace();
        if (text[at] === ']') {
          at++;
          break;
        }
        for (;;) {
          readValue();
          skipSpace();
          if (text[at] !== ',') break;
          at++;
        }
        expect(']');
        break;
      case '"':
        readString();
        break;
      case 't':
        readLiteral('true');
        break;
      case 'f':
        readLiteral('false');
        break;
      case 'n':
        readLiteral('null');
        break;
      default:
        readNumber();
    }
  };
  try {
    readValue();
    skipSpace();
    return at < text.length ? at : undefined;
  } catch (error) {
    if (error instanceof SyntaxAt) return Math.min(error.offset, text.length);
    throw error;
  }
}

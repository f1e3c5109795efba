import { statSync } from 'node:fs';
import { isPrivateKey, type JsonWebKeySet, keyFamily } from './json-web-key.js';
import { loadSigningKeySet, rsaBits } from './signing-key-set.js';
import { jwkThumbprint } from './thumbprint.js';
import { loadVerificationKeySet } from './verification-key-set.js';

export interface KeyRow {
  kid: string;
  type: string;
  alg: string;
  use: string;
  bits: number;
  thumbprint: string;
  private: boolean;
  role: string;
}

export interface KeySetReport {
  rows: KeyRow[];
  signerKid?: string;
  headerKid?: string;
  /** Why this set cannot sign, when it cannot. */
  cannotSign?: string;
  warnings: string[];
}

const FIXED_BITS = new Map<string, number>([
  ['EC:P-256', 256],
  ['EC:P-384', 384],
  ['EC:P-521', 521],
  ['OKP:Ed25519', 256],
]);

/** What `gatehouse keys inspect` shows: one row per key, which key signs, and what to worry about. */
export function inspectKeySet(set: JsonWebKeySet, path: string): KeySetReport {
  loadVerificationKeySet(set, path);
  const warnings: string[] = [];
  let signerKid: string | undefined;
  let headerKid: string | undefined;
  let cannotSign: string | undefined;
  try {
    const signing = loadSigningKeySet(set, path);
    signerKid = signing.signer.jwk.kid;
    headerKid = signing.headerKid;
  } catch (error) {
    cannotSign = (error as Error).message;
  }
  const rows = set.keys.map((jwk) => {
    const role =
      jwk.kid === signerKid
        ? jwk.kid === headerKid
          ? 'signs, named in JWT header'
          : 'signs'
        : jwk.kid === headerKid
          ? 'named in JWT header'
          : 'published only';
    if (jwk.use === undefined && !isPrivateKey(jwk))
      warnings.push(`key "${jwk.kid}" has no "use": the jwt authenticator only finds keys with "use": "sig"`);
    return {
      kid: jwk.kid ?? '(none)',
      type: keyFamily(jwk).replace(':', '/'),
      alg: jwk.alg ?? '-',
      use: jwk.use ?? '-',
      bits: jwk.kty === 'RSA' ? rsaBits(jwk) : (FIXED_BITS.get(keyFamily(jwk)) ?? 0),
      thumbprint: jwkThumbprint(jwk),
      private: isPrivateKey(jwk),
      role,
    };
  });
  try {
    const mode = statSync(path).mode & 0o777;
    if (set.keys.some(isPrivateKey) && (mode & 0o077) !== 0) {
      warnings.push(
        `${path} is readable by ${mode & 0o070 ? 'its group' : ''}${mode & 0o070 && mode & 0o007 ? ' and ' : ''}${mode & 0o007 ? 'others' : ''} (mode 0${mode.toString(8)}); it holds private keys: chmod 600 ${path}`,
      );
    }
  } catch {}
  return { rows, signerKid, headerKid, cannotSign, warnings };
}

export function formatKeySetReport(report: KeySetReport): string {
  const header = ['KID', 'TYPE', 'ALG', 'USE', 'BITS', 'THUMBPRINT (RFC 7638, SHA-256)', 'PRIVATE', 'ROLE'];
  const cells = report.rows.map((row) => [
    row.kid,
    row.type,
    row.alg,
    row.use,
    String(row.bits),
    row.thumbprint,
    row.private ? 'yes' : 'no',
    row.role,
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((line) => line[column]!.length)),
  );
  const line = (values: string[]) =>
    values
      .map((value, column) => value.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  const out = [line(header), ...cells.map(line), ''];
  if (report.signerKid !== undefined) {
    out.push(`signing key:    ${report.signerKid}`, `JWT header kid: ${report.headerKid}`);
  } else {
    out.push(`cannot sign: ${report.cannotSign}`);
  }
  for (const warning of report.warnings) out.push(`warning: ${warning}`);
  return `${out.join('\n')}\n`;
}

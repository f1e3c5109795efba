import { scryptSync } from 'node:crypto';

export interface SecretsFingerprint {
  default: string;
  cookie: string;
  cipher: string;
}

/**
 * A one-way digest of each secrets section, so two nodes can tell whether they share the same
 * secrets without either revealing them. scrypt makes guessing a weak secret from the digest
 * slow; the section name in the salt keeps the three digests unrelated.
 */
export function secretsFingerprint(secrets: {
  default: string[];
  cookie: string[];
  cipher: string[];
}): SecretsFingerprint {
  const digest = (section: keyof SecretsFingerprint) =>
    secrets[section].length === 0
      ? 'none'
      : scryptSync(JSON.stringify(secrets[section]), `gatehouse secrets fingerprint v1: ${section}`, 32, {
          N: 16384,
          r: 8,
          p: 1,
        }).toString('base64url');
  return { default: digest('default'), cookie: digest('cookie'), cipher: digest('cipher') };
}

/** Differences between two fingerprints, one line per section that differs. */
export function compareFingerprints(
  local: SecretsFingerprint,
  peer: SecretsFingerprint,
  peerName: string,
): string[] {
  return (['default', 'cookie', 'cipher'] as const)
    .filter((section) => local[section] !== peer[section])
    .map(
      (section) =>
        `secrets.${section} differs from ${peerName}'s${local[section] === 'none' ? ' (not set here)' : peer[section] === 'none' ? ` (not set on ${peerName})` : ''}: sessions made on one node would be rejected by the other`,
    );
}

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KeySetFormat, SIGNING_ALGORITHMS } from '../../src/keys/generate-key-set.js';
import type { JsonWebKeySet } from '../../src/keys/json-web-key.js';
import { readKeySetFile } from '../../src/keys/key-file.js';
import { signJwt } from '../../src/keys/sign-jwt.js';
import { loadSigningKeySet, type SigningKeySet } from '../../src/keys/signing-key-set.js';
import { runGatehouse } from '../support/gatehouse-process.js';

/** Debian's interpreter with python3-jwt; the python3 first on PATH may lack PyJWT or be another build. */
const PYTHON = '/usr/bin/python3';
const VERIFIER = fileURLToPath(new URL('../fixtures/verify_jwt.py', import.meta.url));

interface Case {
  name: string;
  alg: string;
  format: KeySetFormat;
}

const cases: Case[] = [
  ...SIGNING_ALGORITHMS.map((alg) => ({ name: alg, alg, format: 'single' as const })),
  { name: 'RS256 as a Hydra pair', alg: 'RS256', format: 'hydra' },
  { name: 'ES256 as a Hydra pair', alg: 'ES256', format: 'hydra' },
];

type Verdict = { ok: true; claims: Record<string, unknown> } | { ok: false; error: string };

interface Outcome {
  keyFile: JsonWebKeySet;
  /** Standard output of `gatehouse keys public`: all the verifier knows about the keys. */
  published: string;
  loaded: SigningKeySet;
  token: string;
  original: Verdict;
  payloadChanged: Verdict;
  signatureChanged: Verdict;
}

/** The token with one character of one segment (0 header, 1 payload, 2 signature) replaced. */
function changeOneCharacter(token: string, segmentIndex: number): string {
  const segments = token.split('.');
  const segment = segments[segmentIndex]!;
  // The middle, not the end: the last base64url character may carry padding bits only.
  const at = Math.floor(segment.length / 2);
  segments[segmentIndex] =
    `${segment.slice(0, at)}${segment[at] === 'A' ? 'B' : 'A'}${segment.slice(at + 1)}`;
  return segments.join('.');
}

function decodeSegment(token: string, segmentIndex: number): unknown {
  return JSON.parse(Buffer.from(token.split('.')[segmentIndex]!, 'base64url').toString('utf8'));
}

/** Verifies all tokens in one PyJWT process (starting Python per token would dominate the run time). */
function verifyWithPyJwt(inputs: { jwks: string; token: string }[]): Verdict[] {
  const run = spawnSync(PYTHON, [VERIFIER], {
    input: JSON.stringify(inputs),
    encoding: 'utf8',
    env: { PATH: '/usr/bin:/bin', PYTHONIOENCODING: 'utf-8', LANG: 'C.UTF-8' },
    timeout: 20_000,
  });
  if (run.status !== 0) throw new Error(`${PYTHON} ${VERIFIER} failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as Verdict[];
}

const now = Math.floor(Date.now() / 1000);
const claims = {
  sub: 'c3f1a1de-5b0e-4d5e-9c57-2f8e0b1f6a42',
  iss: 'https://portal.example.com/',
  iat: now,
  exp: now + 600,
  session: { roles: ['editor', 'reviewer'], traits: { email: 'ana@example.com', verified: true, logins: 3 } },
  name: 'Zoë Łukasiewicz-Ōtani, 東京 🔑',
};

describe('a JWT signed by gatehouse verifies with PyJWT given only `gatehouse keys public`', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-pyjwt-'));
  const outcomes = new Map<string, Outcome>();

  beforeAll(async () => {
    const signed = await Promise.all(
      cases.map(async ({ name, alg, format }, index) => {
        const file = join(dir, `keys-${index}.json`);
        const generated = await runGatehouse([
          'keys',
          'generate',
          '--alg',
          alg,
          '--format',
          format,
          '-o',
          file,
        ]);
        if (generated.code !== 0) throw new Error(`keys generate --alg ${alg} failed: ${generated.stderr}`);
        const published = await runGatehouse(['keys', 'public', file]);
        if (published.code !== 0) throw new Error(`keys public (${name}) failed: ${published.stderr}`);
        const keyFile = readKeySetFile(file);
        const loaded = loadSigningKeySet(keyFile, file);
        const token = await signJwt(loaded, claims);
        return { name, keyFile, published: published.stdout, loaded, token };
      }),
    );
    const verdicts = verifyWithPyJwt(
      signed.flatMap(({ published, token }) => [
        { jwks: published, token },
        { jwks: published, token: changeOneCharacter(token, 1) },
        { jwks: published, token: changeOneCharacter(token, 2) },
      ]),
    );
    signed.forEach((entry, index) => {
      const [original, payloadChanged, signatureChanged] = verdicts.slice(index * 3, index * 3 + 3);
      outcomes.set(entry.name, {
        ...entry,
        original: original!,
        payloadChanged: payloadChanged!,
        signatureChanged: signatureChanged!,
      });
    });
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(cases)('$name: the token verifies and its claims come back unchanged', ({ name }) => {
    expect(outcomes.get(name)!.original).toEqual({ ok: true, claims });
  });

  it.each(cases)('$name: one character changed in the payload makes the signature check fail', ({ name }) => {
    expect(outcomes.get(name)!.payloadChanged).toEqual({ ok: false, error: 'InvalidSignatureError' });
  });

  it.each(cases)(
    '$name: one character changed in the signature makes the signature check fail',
    ({ name }) => {
      expect(outcomes.get(name)!.signatureChanged).toEqual({ ok: false, error: 'InvalidSignatureError' });
    },
  );

  it.each(cases)(
    '$name: the header carries typ JWT, the alg and the kid of the key walk',
    ({ name, alg, format }) => {
      const { keyFile, loaded, token } = outcomes.get(name)!;
      // One private key names itself; a Hydra pair is named by its public:<id> entry.
      const expectedKid = format === 'hydra' ? keyFile.keys[1]!.kid : keyFile.keys[0]!.kid;
      expect(loaded.headerKid).toBe(expectedKid);
      expect(decodeSegment(token, 0)).toEqual({ alg, kid: expectedKid, typ: 'JWT' });
    },
  );

  it('`gatehouse keys public` gives the verifier public members only, every kid of the file', () => {
    for (const { keyFile, published } of outcomes.values()) {
      const { keys } = JSON.parse(published) as JsonWebKeySet;
      expect(keys.map((jwk) => jwk.kid)).toEqual(keyFile.keys.map((jwk) => jwk.kid));
      for (const jwk of keys) {
        expect(
          Object.keys(jwk).filter((member) => ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'].includes(member)),
        ).toEqual([]);
      }
    }
    expect(outcomes.size).toBe(cases.length);
  });
});

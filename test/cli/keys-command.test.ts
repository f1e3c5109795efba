import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGatehouse } from '../support/gatehouse-process.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-keys-cli-'));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('gatehouse keys generate', () => {
  it('writes one RS256 private key of 2048 bits, mode 0600, and will not overwrite it without --force', async () => {
    const file = join(dir, 'generated.json');
    const result = await runGatehouse(['keys', 'generate', '-o', file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const { keys } = JSON.parse(readFileSync(file, 'utf8')) as { keys: Record<string, string>[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ use: 'sig', kty: 'RSA', alg: 'RS256', e: 'AQAB' });
    expect(keys[0]!.kid).toMatch(UUID);
    expect(Buffer.from(keys[0]!.n!, 'base64url').length).toBe(256);

    const again = await runGatehouse(['keys', 'generate', '-o', file]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`gatehouse: ${file} exists already; pass --force to replace it\n`);
    expect(readFileSync(file, 'utf8')).toContain(keys[0]!.kid);

    expect((await runGatehouse(['keys', 'generate', '-o', file, '--force'])).code).toBe(0);
    expect(readFileSync(file, 'utf8')).not.toContain(keys[0]!.kid);
  });

  it('makes a Hydra-style pair with --format hydra', async () => {
    const result = await runGatehouse([
      'keys',
      'generate',
      '--alg',
      'ES256',
      '--format',
      'hydra',
      '--kid',
      'k1',
    ]);
    const { keys } = JSON.parse(result.stdout) as { keys: Record<string, string>[] };
    expect(keys.map((key) => [key.kid, 'd' in key])).toEqual([
      ['private:k1', true],
      ['public:k1', false],
    ]);
  });

  it('refuses weak or unpublishable keys with a message saying why', async () => {
    const short = await runGatehouse(['keys', 'generate', '--bits', '1024']);
    expect(short.code).toBe(1);
    expect(short.stderr).toBe(
      'gatehouse: RSA keys of fewer than 2048 bits are refused (asked for 1024): they are within reach of factoring\n',
    );
    const hmac = await runGatehouse(['credentials', 'generate', '--alg', 'HS256']);
    expect(hmac.code).toBe(1);
    expect(hmac.stderr).toMatch(
      /^gatehouse: unsupported algorithm "HS256" \(symmetric keys cannot be published for upstreams to verify\)/,
    );
    const unknown = await runGatehouse(['keys', 'generate', '--alg', 'RS1']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      "error: option '--alg <alg>' argument 'RS1' is invalid. Allowed choices are RS256, RS384",
    );
  });
});

describe('gatehouse credentials generate (Oathkeeper’s command)', () => {
  it('prints a two-space indented JWKS with one private key, use sig, the alg and the kid', async () => {
    const result = await runGatehouse(['credentials', 'generate', '--alg', 'ES384', '--kid', 'my-key']);
    expect(result.code).toBe(0);
    const set = JSON.parse(result.stdout) as { keys: Record<string, string>[] };
    expect(result.stdout).toBe(`${JSON.stringify(set, null, 2)}\n`);
    expect(set.keys).toHaveLength(1);
    expect(Object.keys(set.keys[0]!)).toEqual(['use', 'kty', 'kid', 'crv', 'alg', 'x', 'y', 'd']);
    expect(set.keys[0]).toMatchObject({ use: 'sig', kty: 'EC', kid: 'my-key', crv: 'P-384', alg: 'ES384' });
  });

  it('requires --alg, as Oathkeeper does', async () => {
    const result = await runGatehouse(['credentials', 'generate']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error: required option '--alg <alg>' not specified");
  });
});

describe('gatehouse keys inspect and public', () => {
  it('shows which key signs, which kid the JWT header carries, and warns about a readable key file', async () => {
    const file = join(dir, 'pair.json');
    await runGatehouse(['keys', 'generate', '--format', 'hydra', '--kid', 'abc', '-o', file]);
    chmodSync(file, 0o644);
    const result = await runGatehouse(['keys', 'inspect', file]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^KID\s+TYPE\s+ALG\s+USE\s+BITS\s+THUMBPRINT \(RFC 7638, SHA-256\)\s+PRIVATE\s+ROLE$/,
    );
    expect(lines[1]).toMatch(/^private:abc\s+RSA\s+RS256\s+sig\s+2048\s+[\w-]{43}\s+yes\s+signs$/);
    expect(lines[2]).toMatch(
      /^public:abc\s+RSA\s+RS256\s+sig\s+2048\s+[\w-]{43}\s+no\s+named in JWT header$/,
    );
    expect(lines).toContain('signing key:    private:abc');
    expect(lines).toContain('JWT header kid: public:abc');
    expect(lines).toContain(
      `warning: ${file} is readable by its group and others (mode 0644); it holds private keys: chmod 600 ${file}`,
    );
  });

  it('fails for a set that cannot sign, saying why', async () => {
    const file = join(dir, 'no-alg.json');
    await runGatehouse(['keys', 'generate', '--kid', 'x', '-o', file]);
    const set = JSON.parse(readFileSync(file, 'utf8'));
    delete set.keys[0].alg;
    writeFileSync(file, JSON.stringify(set));
    const result = await runGatehouse(['keys', 'inspect', file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `cannot sign: ${file}: key "x", the signing key, has no "alg"; add e.g. "alg": "RS256"`,
    );
  });

  it('`keys public` prints public members only, kids as in the file', async () => {
    const file = join(dir, 'ed.json');
    await runGatehouse(['keys', 'generate', '--alg', 'EdDSA', '--kid', 'ed-1', '-o', file]);
    const result = await runGatehouse(['keys', 'public', file]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      keys: [
        {
          use: 'sig',
          kty: 'OKP',
          kid: 'ed-1',
          alg: 'EdDSA',
          crv: 'Ed25519',
          x: expect.stringMatching(/^[\w-]{43}$/),
        },
      ],
    });
  });

  it('reports a damaged file without quoting any of it', async () => {
    const file = join(dir, 'damaged.json');
    await runGatehouse(['keys', 'generate', '-o', file]);
    const text = readFileSync(file, 'utf8');
    const d = (JSON.parse(text) as { keys: { d: string }[] }).keys[0]!.d;
    writeFileSync(file, text.replace(d, `${d.slice(0, 100)}"${d.slice(100)}`));
    for (const command of [
      ['keys', 'inspect', file],
      ['keys', 'public', file],
      ['keys', 'rotate', file],
    ]) {
      const result = await runGatehouse(command);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        new RegExp(`^gatehouse: ${file}: not valid JSON at line \\d+, column \\d+\\n$`),
      );
      expect(result.stderr).not.toContain(d.slice(90, 110));
    }
  });
});

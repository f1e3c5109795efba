import { describe, expect, it } from 'vitest';
import { cryptoRandom } from '../../src/random.js';
import { openSessionCookie, sealSessionCookie } from '../../src/session/session-cookie.js';
import { hashToken, newToken } from '../../src/session/session-token.js';

describe('the session cookie', () => {
  const expires = new Date('2030-01-02T03:04:05Z');

  it('carries the token and expiry, readable with the secret that signed it', () => {
    const value = sealSessionCookie('ory_st_abc', expires, ['new-secret', 'old-secret']);
    expect(openSessionCookie(value, ['new-secret'])).toEqual({ token: 'ory_st_abc', expiresAt: expires });
  });

  it('keeps verifying under an old secret after rotation, and stops once it is removed', () => {
    const issuedBefore = sealSessionCookie('ory_st_old', expires, ['old-secret']);
    expect(openSessionCookie(issuedBefore, ['new-secret', 'old-secret'])?.token).toBe('ory_st_old');
    expect(openSessionCookie(issuedBefore, ['new-secret'])).toBeUndefined();
  });

  it('refuses a tampered payload, a tampered signature and garbage', () => {
    const value = sealSessionCookie('ory_st_abc', expires, ['s']);
    const [payload, signature] = value.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ t: 'ory_st_someone_else', e: 1 })).toString('base64url');
    expect(openSessionCookie(`${forged}.${signature}`, ['s'])).toBeUndefined();
    expect(openSessionCookie(`${payload}.${signature.slice(0, -2)}AA`, ['s'])).toBeUndefined();
    for (const garbage of ['', '.', 'abc', 'a.b.c', `${payload}.`])
      expect(openSessionCookie(garbage, ['s'])).toBeUndefined();
  });
});

describe('session tokens', () => {
  it('look like Kratos tokens and never repeat', () => {
    const tokens = Array.from({ length: 1000 }, () => newToken('ory_st_', cryptoRandom));
    for (const token of tokens) expect(token).toMatch(/^ory_st_[A-Za-z0-9]{32}$/);
    expect(new Set(tokens).size).toBe(tokens.length);
    expect(newToken('ory_lo_', cryptoRandom)).toMatch(/^ory_lo_[A-Za-z0-9]{32}$/);
  });

  it('are stored as their SHA-256 only', () => {
    expect(hashToken('ory_st_x')).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken('ory_st_x')).not.toContain('ory_st_x');
  });
});

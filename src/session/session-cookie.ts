import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The session cookie's value: the session token and its expiry, signed with HMAC-SHA256 under the
 * first cookie secret. Kratos' own cookie format (a gorilla/securecookie blob) is opaque to
 * clients and proxies, so a value of gatehouse's own is compatible on the wire; cookies issued by
 * Kratos are not read (users sign in again once after the move).
 */
export function sealSessionCookie(token: string, expiresAt: Date, secrets: readonly string[]): string {
  const payload = Buffer.from(
    JSON.stringify({ t: token, e: Math.floor(expiresAt.getTime() / 1000) }),
  ).toString('base64url');
  return `${payload}.${sign(payload, secrets[0]!)}`;
}

/**
 * The token in a cookie value signed under any of the secrets (so secrets can rotate: a new one
 * goes first, old ones keep verifying until removed), with the expiry it was issued with.
 * Undefined for anything forged, damaged or signed with a removed secret.
 */
export function openSessionCookie(
  value: string,
  secrets: readonly string[],
): { token: string; expiresAt: Date } | undefined {
  const dot = value.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const payload = value.slice(0, dot);
  const signature = Buffer.from(value.slice(dot + 1), 'base64url');
  // Every secret is tried, in constant time each: which one matched must not show in the timing.
  let valid = false;
  for (const secret of secrets) {
    const expected = Buffer.from(sign(payload, secret), 'base64url');
    if (expected.length === signature.length && timingSafeEqual(expected, signature)) valid = true;
  }
  if (!valid) return undefined;
  try {
    const data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      t?: unknown;
      e?: unknown;
    };
    if (typeof data.t !== 'string' || typeof data.e !== 'number') return undefined;
    return { token: data.t, expiresAt: new Date(data.e * 1000) };
  } catch {
    return undefined;
  }
}

function sign(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

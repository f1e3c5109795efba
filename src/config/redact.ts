import { isPlainObject } from './object-path.js';

export const REDACTED = '[redacted]';

// Key names whose values are secret wherever they appear in a Kratos or Oathkeeper config.
const SECRET_KEYS = new Set([
  'password',
  'secret',
  'client_secret',
  'private_key',
  'apple_private_key',
  'api_key',
  'token',
  'value',
  'cookie',
  'cipher',
  'default',
  'pagination',
  'key',
]);

/**
 * A copy of a config with every secret replaced: the whole `secrets` section, any key named like a
 * credential, and the password in any URL (SMTP connection URI, DSN, webhook URLs). Used for every
 * config that is printed or logged; `log.leak_sensitive_values` does not change it, because a
 * leaked cookie secret or SMTP password cannot be taken back.
 */
export function redactConfig<T>(value: T, parentKey = ''): T {
  if (Array.isArray(value)) return value.map((item) => redactConfig(item, parentKey)) as T;
  if (isPlainObject(value)) {
    const result: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      result[key] = isSecretKey(key, parentKey) ? redactSecret(child, key) : redactConfig(child, key);
    }
    return result as T;
  }
  if (typeof value === 'string') return redactUrlPassword(value) as T;
  return value;
}

function redactSecret(value: unknown, key: string): unknown {
  if (Array.isArray(value)) return value.map((item) => redactSecret(item, key));
  if (isPlainObject(value)) return redactConfig(value, key);
  return value === null || value === undefined || typeof value === 'boolean' ? value : REDACTED;
}

function isSecretKey(key: string, parentKey: string): boolean {
  // `default`, `cookie`, `cipher`, `value` and `key` are only secret in their credential contexts.
  if (['default', 'cookie', 'cipher', 'pagination'].includes(key)) return parentKey === 'secrets';
  if (key === 'value') return parentKey === 'config' || parentKey === 'api_key';
  if (key === 'key') return parentKey === 'tls' || parentKey === 'config';
  return SECRET_KEYS.has(key);
}

/** `smtps://user:pw@host/` → `smtps://user:[redacted]@host/`; anything else is returned as is. */
export function redactUrlPassword(text: string): string {
  return text.replace(
    /^([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):([^@/?#\s]*)@/i,
    (_match, head: string) => `${head}:${REDACTED}@`,
  );
}

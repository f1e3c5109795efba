import { parseDuration } from '../config/duration.js';
import { getPath, type JsonObject } from '../config/object-path.js';

export interface SessionCookieConfig {
  name: string;
  domain?: string;
  path: string;
  sameSite: 'Strict' | 'Lax' | 'None';
  secure: boolean;
  /** With Max-Age (until the session expires), or a browser-session cookie. */
  persistent: boolean;
}

export interface SessionConfig {
  lifespanMs: number;
  /** A session may be extended only once it expires within this; undefined: always. */
  earliestPossibleExtendMs?: number;
  cookie: SessionCookieConfig;
  /** `secrets.cookie` (the config falls back to `secrets.default`): the first signs, all verify. */
  cookieSecrets: string[];
}

/** `session.*`, `cookies.*` and the cookie secrets, with Kratos' defaults and precedence. */
export function readSessionConfig(
  document: JsonObject,
  cookieSecrets: string[],
  dev: boolean,
): SessionConfig {
  const session = (path: string[]) => getPath(document, ['session', ...path]);
  const cookies = (path: string) => getPath(document, ['cookies', path]);
  const secure = (session(['cookie', 'secure']) ?? cookies('secure')) as string | boolean | undefined;
  const extend = session(['earliest_possible_extend']) as string | undefined;
  return {
    lifespanMs: parseDuration((session(['lifespan']) as string | undefined) ?? '24h'),
    earliestPossibleExtendMs: extend ? parseDuration(extend) : undefined,
    cookie: {
      name: (session(['cookie', 'name']) as string | undefined) ?? 'ory_kratos_session',
      domain: (session(['cookie', 'domain']) ?? cookies('domain')) as string | undefined,
      path: ((session(['cookie', 'path']) ?? cookies('path')) as string | undefined) ?? '/',
      sameSite:
        ((session(['cookie', 'same_site']) ?? cookies('same_site')) as
          | SessionCookieConfig['sameSite']
          | undefined) ?? 'Lax',
      // Kratos: Secure unless in dev mode, when not set explicitly.
      secure: secure === undefined ? !dev : secure === true || secure === 'true',
      persistent: (session(['cookie', 'persistent']) as boolean | undefined) ?? true,
    },
    cookieSecrets,
  };
}

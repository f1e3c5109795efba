import type { Clock } from '../clock.js';
import type { Identity } from '../identity/identity.js';
import type { IdentityRepository } from '../identity/identity-repository.js';
import type { RandomSource } from '../random.js';
import { type AuthenticationMethod, isActive, type Session } from './session.js';
import type { SessionConfig } from './session-config.js';
import { openSessionCookie, sealSessionCookie } from './session-cookie.js';
import type { SessionRepository } from './session-repository.js';
import { hashToken, logoutTokenFor, newToken } from './session-token.js';

/** What a request carries that may identify a session. */
export interface SessionCredentials {
  /** `X-Session-Token`. */
  sessionTokenHeader?: string;
  /** The session cookie's value. */
  cookie?: string;
  /** `Authorization`. */
  authorization?: string;
}

export interface ActiveSession {
  session: Session;
  /** Without its credentials (see IdentityRepository.getWithoutCredentials): load it to change it. */
  identity: Identity;
  /** The token the request carried (from whichever transport). */
  token: string;
  /** The expiry the cookie was issued with, when the session came by cookie. */
  cookieExpiresAt?: Date;
}

export interface IssuedSession {
  session: Session;
  /** `ory_st_...`: shown once, to the client that signed in; only its hash is stored. */
  token: string;
  /** `ory_lo_...`: ends this session without it. */
  logoutToken: string;
}

/**
 * Sessions from issuing to lookup: tokens are random and only their hashes are stored, the cookie
 * carries the token under an HMAC of the cookie secrets, and a session counts only while it is
 * on, unexpired and its identity active.
 */
export class SessionManager {
  constructor(
    private readonly deps: {
      sessions: SessionRepository;
      identities: IdentityRepository;
      clock: Clock;
      random: RandomSource;
      config: SessionConfig;
    },
  ) {}

  get config(): SessionConfig {
    return this.deps.config;
  }

  /** Starts a session for `identity`, valid for `session.lifespan`. */
  async issue(
    identity: Identity,
    methods: AuthenticationMethod[],
    device: { ipAddress: string; userAgent: string },
  ): Promise<IssuedSession> {
    const { clock, random, config, sessions } = this.deps;
    const now = clock.now();
    const session: Session = {
      id: random.uuid(),
      identityId: identity.id,
      active: true,
      issuedAt: now,
      authenticatedAt: now,
      expiresAt: new Date(now.getTime() + config.lifespanMs),
      aal: methods.some((method) => method.aal === 'aal2') ? 'aal2' : methods.length > 0 ? 'aal1' : 'aal0',
      authenticationMethods: methods,
      devices: [
        { id: random.uuid(), ipAddress: device.ipAddress, userAgent: device.userAgent, location: '' },
      ],
      createdAt: now,
      updatedAt: now,
    };
    const token = newToken('ory_st_', random);
    // Derived, not drawn: the logout endpoints recompute it from the token the request carries.
    const logoutToken = logoutTokenFor(token);
    await sessions.create(session, hashToken(token), hashToken(logoutToken));
    return { session, token, logoutToken };
  }

  /**
   * The active session a request identifies, looked up as Kratos does: `X-Session-Token`, then
   * the session cookie, then `Authorization: Bearer`. The first credential present decides;
   * an unknown, revoked or expired one gives undefined.
   */
  async fromRequest(credentials: SessionCredentials): Promise<ActiveSession | undefined> {
    let token: string | undefined;
    let cookieExpiresAt: Date | undefined;
    if (credentials.sessionTokenHeader) token = credentials.sessionTokenHeader;
    else if (credentials.cookie) {
      const opened = openSessionCookie(credentials.cookie, this.deps.config.cookieSecrets);
      if (!opened) return undefined;
      token = opened.token;
      cookieExpiresAt = opened.expiresAt;
    } else if (credentials.authorization) {
      const match = /^bearer\s+(\S+)\s*$/i.exec(credentials.authorization);
      token = match?.[1];
    }
    if (!token) return undefined;
    return this.fromToken(token, cookieExpiresAt);
  }

  async fromToken(token: string, cookieExpiresAt?: Date): Promise<ActiveSession | undefined> {
    const session = await this.deps.sessions.findByTokenHash(hashToken(token));
    if (!session) return undefined;
    // Sessions never show credentials: they are not loaded for a lookup.
    const identity = await this.deps.identities.getWithoutCredentials(session.identityId);
    if (!identity || !isActive(session, identity, this.deps.clock.now())) return undefined;
    return { session, identity, token, cookieExpiresAt };
  }

  /** The session cookie for a session and its token, as a `Set-Cookie` value's parts. */
  cookie(token: string, session: Session): { name: string; value: string; options: CookieOptions } {
    const { cookie, cookieSecrets } = this.deps.config;
    const now = this.deps.clock.now();
    return {
      name: cookie.name,
      value: sealSessionCookie(token, session.expiresAt, cookieSecrets),
      options: {
        httpOnly: true,
        secure: cookie.secure,
        sameSite: cookie.sameSite.toLowerCase() as CookieOptions['sameSite'],
        path: cookie.path,
        domain: cookie.domain,
        maxAge: cookie.persistent
          ? Math.max(0, Math.floor((session.expiresAt.getTime() - now.getTime()) / 1000))
          : undefined,
      },
    };
  }

  /**
   * A refresh login on a session (`refresh=true`): the same session, authenticated again now, with
   * the method added and a new expiry of now + lifespan. Its tokens stay the same, so clients
   * holding them keep working.
   */
  async reauthenticate(session: Session, method: AuthenticationMethod): Promise<Session> {
    const now = this.deps.clock.now();
    const refreshed: Session = {
      ...session,
      active: true,
      authenticatedAt: now,
      expiresAt: new Date(now.getTime() + this.deps.config.lifespanMs),
      authenticationMethods: [...session.authenticationMethods, method],
      aal: session.aal === 'aal2' || method.aal === 'aal2' ? 'aal2' : 'aal1',
      updatedAt: now,
    };
    await this.deps.sessions.reauthenticate(refreshed);
    return refreshed;
  }

  /**
   * What removes the session cookie from a browser: the cookie as `cookie` issues it (same name,
   * path and domain, or the browser keeps the old one), empty and expired. Like Kratos, both
   * `Max-Age=0` and an `Expires` in 1970, for clients that read only one of them.
   */
  expiredCookie(): { name: string; value: string; options: CookieOptions } {
    const { cookie } = this.deps.config;
    return {
      name: cookie.name,
      value: '',
      options: {
        httpOnly: true,
        secure: cookie.secure,
        sameSite: cookie.sameSite.toLowerCase() as CookieOptions['sameSite'],
        path: cookie.path,
        domain: cookie.domain,
        maxAge: 0,
        expires: new Date(1000),
      },
    };
  }

  /**
   * `PATCH /admin/sessions/{id}/extend`: a new expiry of now + lifespan, but only once the session
   * is within `earliest_possible_extend` of expiring (by default, always). Gives the session.
   */
  async extend(id: string): Promise<Session | undefined> {
    const { sessions, clock, config } = this.deps;
    const session = await sessions.get(id);
    if (!session) return undefined;
    const now = clock.now();
    const window = config.earliestPossibleExtendMs ?? config.lifespanMs;
    if (session.expiresAt.getTime() - window <= now.getTime()) {
      session.expiresAt = new Date(now.getTime() + config.lifespanMs);
      session.updatedAt = now;
      await sessions.setExpiry(id, session.expiresAt, now);
    }
    return session;
  }
}

export interface CookieOptions {
  httpOnly: boolean;
  secure: boolean;
  sameSite: 'strict' | 'lax' | 'none';
  path: string;
  domain?: string;
  maxAge?: number;
  expires?: Date;
}

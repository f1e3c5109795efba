import { type Identity, type IdentityJsonOptions, identityJson } from '../identity/identity.js';

export type AuthenticatorAssuranceLevel = 'aal0' | 'aal1' | 'aal2';

export interface AuthenticationMethod {
  method: string;
  aal: AuthenticatorAssuranceLevel;
  completedAt: Date;
  provider?: string;
}

export interface SessionDevice {
  id: string;
  ipAddress: string;
  userAgent: string;
  location: string;
}

/** A signed-in session, as Kratos models one. Its tokens are never stored, only their hashes. */
export interface Session {
  id: string;
  identityId: string;
  /** Stored flag: false once revoked. Whether the session counts as active also needs `isActive`. */
  active: boolean;
  issuedAt: Date;
  authenticatedAt: Date;
  expiresAt: Date;
  aal: AuthenticatorAssuranceLevel;
  authenticationMethods: AuthenticationMethod[];
  devices: SessionDevice[];
  createdAt: Date;
  updatedAt: Date;
}

/** Active means: not revoked, not expired, and its identity may still sign in. */
export function isActive(session: Session, identity: Identity | undefined, now: Date): boolean {
  return session.active && session.expiresAt.getTime() > now.getTime() && identity?.state === 'active';
}

export interface SessionJsonOptions {
  /** The session's identity: needed for `active`; written out when `expandIdentity`. */
  identity: Identity | undefined;
  expandIdentity: boolean;
  expandDevices: boolean;
  identityJson: Omit<IdentityJsonOptions, 'withoutCredentials'>;
}

/** A session as Kratos' API writes it; `identity` and `devices` only when expanded. */
export function sessionJson(
  session: Session,
  now: Date,
  options: SessionJsonOptions,
): Record<string, unknown> {
  const { identity } = options;
  const json: Record<string, unknown> = {
    id: session.id,
    active: isActive(session, identity, now),
    expires_at: session.expiresAt.toISOString(),
    authenticated_at: session.authenticatedAt.toISOString(),
    authenticator_assurance_level: session.aal,
    authentication_methods: session.authenticationMethods.map((method) => ({
      method: method.method,
      aal: method.aal,
      completed_at: method.completedAt.toISOString(),
      ...(method.provider ? { provider: method.provider } : {}),
    })),
    issued_at: session.issuedAt.toISOString(),
  };
  if (identity && options.expandIdentity)
    json.identity = identityJson(identity, { ...options.identityJson, withoutCredentials: true });
  if (options.expandDevices) {
    json.devices = session.devices.map((device) => ({
      id: device.id,
      ip_address: device.ipAddress,
      user_agent: device.userAgent,
      location: device.location,
    }));
  }
  return json;
}

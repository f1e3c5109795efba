/** Where an address receives messages. */
export type AddressVia = 'email' | 'sms';

export interface VerifiableAddress {
  id: string;
  value: string;
  via: AddressVia;
  verified: boolean;
  verifiedAt?: Date;
  /** `pending` → `sent` → `completed`. */
  status: 'pending' | 'sent' | 'completed';
  createdAt: Date;
  updatedAt: Date;
}

export interface RecoveryAddress {
  id: string;
  value: string;
  via: AddressVia;
  createdAt: Date;
  updatedAt: Date;
}

/** One way to sign in (`password`, later `code`, `oidc` ...) and the identifiers it accepts. */
export interface Credential {
  id: string;
  type: string;
  identifiers: string[];
  /** Type-specific secrets (`{"hashed_password": ...}`); shown only when explicitly asked for. */
  config: Record<string, unknown>;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export type IdentityState = 'active' | 'inactive';

/** A person (or machine) known to the identity server, as Kratos models one. */
export interface Identity {
  id: string;
  schemaId: string;
  traits: unknown;
  state: IdentityState;
  stateChangedAt?: Date;
  metadataPublic: unknown;
  metadataAdmin: unknown;
  externalId?: string;
  organizationId: string | null;
  verifiableAddresses: VerifiableAddress[];
  recoveryAddresses: RecoveryAddress[];
  credentials: Record<string, Credential>;
  createdAt: Date;
  updatedAt: Date;
}

export interface IdentityJsonOptions {
  /** `<public base>/schemas/<base64url id>`. */
  schemaUrl: string;
  /** Admin reads show `metadata_admin` and credentials (without their secrets). */
  admin: boolean;
  /** Credential types whose `config` is shown (`include_credential`); admin only. */
  declassify?: readonly string[];
  /** Leave credentials out even on admin reads (the list endpoint without filters does). */
  withoutCredentials?: boolean;
}

/**
 * An identity as Kratos' API writes it. Empty address lists, `external_id` and
 * `state_changed_at` are left out; `metadata_public` is always there (null when unset);
 * `metadata_admin` and `credentials` only on admin reads.
 */
export function identityJson(identity: Identity, options: IdentityJsonOptions): Record<string, unknown> {
  const json: Record<string, unknown> = {
    id: identity.id,
    schema_id: identity.schemaId,
    schema_url: options.schemaUrl,
    state: identity.state,
  };
  if (identity.stateChangedAt) json.state_changed_at = identity.stateChangedAt.toISOString();
  json.traits = identity.traits;
  if (identity.verifiableAddresses.length > 0)
    json.verifiable_addresses = identity.verifiableAddresses.map(verifiableAddressJson);
  if (identity.recoveryAddresses.length > 0)
    json.recovery_addresses = identity.recoveryAddresses.map(recoveryAddressJson);
  json.metadata_public = identity.metadataPublic ?? null;
  if (options.admin) {
    json.metadata_admin = identity.metadataAdmin ?? null;
    if (!options.withoutCredentials) {
      const credentials: Record<string, unknown> = {};
      for (const [type, credential] of Object.entries(identity.credentials)) {
        credentials[type] = credentialJson(credential, options.declassify?.includes(type) ?? false);
      }
      json.credentials = credentials;
    }
  }
  if (identity.externalId) json.external_id = identity.externalId;
  json.created_at = identity.createdAt.toISOString();
  json.updated_at = identity.updatedAt.toISOString();
  json.organization_id = identity.organizationId;
  return json;
}

export function verifiableAddressJson(address: VerifiableAddress): Record<string, unknown> {
  const json: Record<string, unknown> = {
    id: address.id,
    value: address.value,
    verified: address.verified,
    via: address.via,
    status: address.status,
  };
  if (address.verifiedAt) json.verified_at = address.verifiedAt.toISOString();
  json.created_at = address.createdAt.toISOString();
  json.updated_at = address.updatedAt.toISOString();
  return json;
}

export function recoveryAddressJson(address: RecoveryAddress): Record<string, unknown> {
  return {
    id: address.id,
    value: address.value,
    via: address.via,
    created_at: address.createdAt.toISOString(),
    updated_at: address.updatedAt.toISOString(),
  };
}

function credentialJson(credential: Credential, declassified: boolean): Record<string, unknown> {
  const json: Record<string, unknown> = { type: credential.type, identifiers: credential.identifiers };
  // The hash and other credential secrets leave the server only when an admin asks by type.
  if (declassified) json.config = credential.config;
  json.version = credential.version;
  json.created_at = credential.createdAt.toISOString();
  json.updated_at = credential.updatedAt.toISOString();
  return json;
}

import { HttpError } from '../../http/http-error.js';
import type { AddressVia, IdentityState, VerifiableAddress } from '../identity.js';
import type { IdentityInput } from '../identity-manager.js';

const MALFORMED = 'The request was malformed or contained invalid parameters';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Kratos decodes admin bodies strictly (Go's DisallowUnknownFields): the message is Go's. */
function malformed(detail: string): HttpError {
  return new HttpError({ code: 400, message: detail });
}

function invalid(reason: string): HttpError {
  return new HttpError({ code: 400, message: MALFORMED, reason });
}

type Json = Record<string, unknown>;

function object(value: unknown, where: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformed(`json: cannot unmarshal ${goType(value)} into Go value of type ${where}`);
  }
  return value as Json;
}

function goType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'object' : typeof value;
}

function only(body: Json, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw malformed(`json: unknown field "${key}"`);
  }
}

function optionalString(body: Json, key: string, where: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw malformed(
      `json: cannot unmarshal ${goType(value)} into Go struct field ${where}.${key} of type string`,
    );
  return value;
}

function state(value: unknown): IdentityState {
  if (value === undefined || value === null || value === '') return 'active';
  if (value !== 'active' && value !== 'inactive') {
    throw invalid(
      `The supplied state ('${String(value)}') was not valid. Valid states are ('active', 'inactive').`,
    );
  }
  return value;
}

function via(value: unknown): AddressVia {
  if (value !== 'email' && value !== 'sms')
    throw invalid(`Unknown address via "${String(value)}": use "email" or "sms".`);
  return value;
}

/**
 * `POST /admin/identities` and the `create` entries of a batch: Kratos' createIdentityBody,
 * unknown fields refused. `schema_id` empty means the default schema.
 */
export function parseCreateIdentityBody(raw: unknown, defaultSchemaId: string): IdentityInput {
  const body = object(raw, 'identity.CreateIdentityBody');
  only(body, [
    'schema_id',
    'traits',
    'state',
    'metadata_public',
    'metadata_admin',
    'external_id',
    'organization_id',
    'verifiable_addresses',
    'recovery_addresses',
    'credentials',
  ]);
  return common(body, defaultSchemaId, 'CreateIdentityBody');
}

/** `PUT /admin/identities/{id}`: schema_id, traits and state are required. */
export function parseUpdateIdentityBody(raw: unknown): IdentityInput {
  const body = object(raw, 'identity.UpdateIdentityBody');
  only(body, [
    'schema_id',
    'traits',
    'state',
    'metadata_public',
    'metadata_admin',
    'external_id',
    'credentials',
  ]);
  for (const key of ['schema_id', 'traits', 'state']) {
    if (body[key] === undefined || body[key] === '') throw invalid(`The field "${key}" is required.`);
  }
  return common(body, '', 'UpdateIdentityBody');
}

function common(body: Json, defaultSchemaId: string, type: string): IdentityInput {
  const schemaId = optionalString(body, 'schema_id', type) || defaultSchemaId;
  if (body.traits === undefined || body.traits === null) throw invalid('The field "traits" is required.');
  object(body.traits, 'json.RawMessage (traits)');
  const organizationId = optionalString(body, 'organization_id', type);
  if (organizationId !== undefined && !UUID.test(organizationId)) {
    throw invalid(`"${organizationId}" is not a valid organization id.`);
  }
  const input: IdentityInput = {
    schemaId,
    traits: body.traits,
    state: state(body.state),
    metadataPublic: body.metadata_public ?? null,
    metadataAdmin: body.metadata_admin ?? null,
    externalId: optionalString(body, 'external_id', type),
    organizationId: organizationId ?? null,
  };
  if (body.verifiable_addresses !== undefined && body.verifiable_addresses !== null) {
    if (!Array.isArray(body.verifiable_addresses))
      throw malformed('json: cannot unmarshal into verifiable_addresses: not an array');
    input.verifiableAddresses = body.verifiable_addresses.map((entry) => {
      const address = object(entry, 'identity.VerifiableAddress');
      only(address, ['value', 'via', 'verified', 'status', 'verified_at', 'id', 'created_at', 'updated_at']);
      const value = optionalString(address, 'value', 'VerifiableAddress') ?? '';
      const verified = address.verified === true;
      const status = (address.status ?? (verified ? 'completed' : 'pending')) as VerifiableAddress['status'];
      if (!['pending', 'sent', 'completed'].includes(status))
        throw invalid(`Unknown verifiable address status "${status}".`);
      const verifiedAt = typeof address.verified_at === 'string' ? new Date(address.verified_at) : undefined;
      if (verifiedAt && Number.isNaN(verifiedAt.getTime()))
        throw invalid('verified_at is not an RFC 3339 time.');
      return { value, via: via(address.via), verified, status, verifiedAt };
    });
  }
  if (body.recovery_addresses !== undefined && body.recovery_addresses !== null) {
    if (!Array.isArray(body.recovery_addresses))
      throw malformed('json: cannot unmarshal into recovery_addresses: not an array');
    input.recoveryAddresses = body.recovery_addresses.map((entry) => {
      const address = object(entry, 'identity.RecoveryAddress');
      only(address, ['value', 'via', 'id', 'created_at', 'updated_at']);
      return { value: optionalString(address, 'value', 'RecoveryAddress') ?? '', via: via(address.via) };
    });
  }
  if (body.credentials !== undefined && body.credentials !== null) {
    const credentials = object(body.credentials, 'identity.IdentityWithCredentials');
    only(credentials, ['password', 'oidc']);
    if (credentials.oidc !== undefined) throw invalid('Importing oidc credentials is not supported yet.');
    if (credentials.password !== undefined && credentials.password !== null) {
      const password = object(credentials.password, 'identity.AdminIdentityImportCredentialsPassword');
      only(password, ['config']);
      const config = object(password.config ?? {}, 'identity.AdminIdentityImportCredentialsPasswordConfig');
      only(config, ['password', 'hashed_password', 'use_password_migration_hook']);
      input.password = {
        password: optionalString(config, 'password', 'AdminIdentityImportCredentialsPasswordConfig'),
        hashedPassword: optionalString(
          config,
          'hashed_password',
          'AdminIdentityImportCredentialsPasswordConfig',
        ),
        usePasswordMigrationHook: config.use_password_migration_hook === true,
      };
    }
  }
  return input;
}

import type { Clock } from '../clock.js';
import { HashFormatError } from '../hash/hash-format.js';
import { parseHash } from '../hash/parse-hash.js';
import type { PasswordHasher } from '../hash/password-hasher.js';
import { HttpError } from '../http/http-error.js';
import type { RandomSource } from '../random.js';
import type {
  AddressVia,
  Credential,
  Identity,
  IdentityState,
  RecoveryAddress,
  VerifiableAddress,
} from './identity.js';
import { DuplicateIdentityError, type IdentityRepository } from './identity-repository.js';
import type { IdentitySchemas } from './schema/identity-schemas.js';
import type { TraitIdentifiers } from './schema/trait-identifiers.js';
import { TraitsValidationError, UnknownSchemaError } from './schema/traits-validation-error.js';

/** The parts of a create or update body that say what the identity is. */
export interface IdentityInput {
  schemaId: string;
  traits: unknown;
  state: IdentityState;
  metadataPublic: unknown;
  metadataAdmin: unknown;
  externalId?: string;
  organizationId: string | null;
  /** Addresses given explicitly (admin import): their `verified`/`status` override the defaults. */
  verifiableAddresses?: {
    value: string;
    via: AddressVia;
    verified: boolean;
    status: VerifiableAddress['status'];
    verifiedAt?: Date;
  }[];
  recoveryAddresses?: { value: string; via: AddressVia }[];
  /** `credentials.password.config`. */
  password?: { password?: string; hashedPassword?: string; usePasswordMigrationHook?: boolean };
}

function badRequest(
  reason: string,
  message = 'The request was malformed or contained invalid parameters',
): HttpError {
  return new HttpError({ code: 400, message, reason });
}

export function conflict(): HttpError {
  return new HttpError({
    code: 409,
    message: 'The resource could not be created due to a conflict',
    reason: 'This identity conflicts with another identity that already exists.',
  });
}

/**
 * Turns admin input into stored identities: traits validated against their schema, identifiers
 * and addresses derived from the schema's annotations, passwords hashed off the event loop and
 * imported hashes checked. Errors are HttpErrors a route can send as they are.
 */
export class IdentityManager {
  constructor(
    private readonly deps: {
      repository: IdentityRepository;
      schemas: IdentitySchemas;
      hasher: PasswordHasher;
      clock: Clock;
      random: RandomSource;
    },
  ) {}

  async create(input: IdentityInput): Promise<Identity> {
    const now = this.deps.clock.now();
    const identity: Identity = {
      id: this.deps.random.uuid(),
      schemaId: input.schemaId,
      traits: input.traits,
      state: input.state,
      metadataPublic: input.metadataPublic,
      metadataAdmin: input.metadataAdmin,
      externalId: input.externalId,
      organizationId: input.organizationId,
      verifiableAddresses: [],
      recoveryAddresses: [],
      credentials: {},
      createdAt: now,
      updatedAt: now,
    };
    await this.apply(identity, input, now);
    await this.save(() => this.deps.repository.create(identity));
    return identity;
  }

  /** Replaces what `input` says about an existing identity (PUT, PATCH). */
  async update(existing: Identity, input: IdentityInput): Promise<Identity> {
    const now = this.deps.clock.now();
    const identity: Identity = {
      ...existing,
      schemaId: input.schemaId,
      traits: input.traits,
      state: input.state,
      stateChangedAt: input.state !== existing.state ? now : existing.stateChangedAt,
      metadataPublic: input.metadataPublic,
      metadataAdmin: input.metadataAdmin,
      externalId: input.externalId,
      organizationId: input.organizationId,
      credentials: { ...existing.credentials },
      updatedAt: now,
    };
    await this.apply(identity, input, now);
    let found = false;
    await this.save(async () => {
      found = await this.deps.repository.update(identity);
    });
    if (!found) throw new HttpError({ code: 404, message: 'Unable to locate the resource' });
    return identity;
  }

  private async save(write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      if (error instanceof DuplicateIdentityError) throw conflict();
      throw error;
    }
  }

  /** Validates traits, then derives credentials' identifiers and the addresses from them. */
  private async apply(identity: Identity, input: IdentityInput, now: Date): Promise<void> {
    const { schemas, random } = this.deps;
    let extracted: TraitIdentifiers;
    try {
      extracted = schemas.validateTraits(identity.schemaId, identity.traits);
    } catch (error) {
      if (error instanceof TraitsValidationError || error instanceof UnknownSchemaError)
        throw error.toHttpError();
      throw error;
    }

    let password = identity.credentials.password;
    if (input.password) {
      const config = await this.passwordConfig(input.password);
      password = {
        id: password?.id ?? random.uuid(),
        type: 'password',
        identifiers: [],
        config,
        version: password?.version ?? 0,
        createdAt: password?.createdAt ?? now,
        updatedAt: now,
      };
    }
    // As Kratos: identifiers from the schema make a password credential even without a password,
    // so the identifier is taken (unique) from the start.
    if (extracted.passwordIdentifiers.length > 0 && !password) {
      password = {
        id: random.uuid(),
        type: 'password',
        identifiers: [],
        config: {},
        version: 0,
        createdAt: now,
        updatedAt: now,
      };
    }
    if (password) {
      password.identifiers = [...new Set(extracted.passwordIdentifiers)];
      identity.credentials.password = password;
    }

    const previous = new Map(
      identity.verifiableAddresses.map((address) => [`${address.via}:${address.value}`, address]),
    );
    const given = new Map(
      (input.verifiableAddresses ?? []).map((address) => [
        `${address.via}:${address.value.toLowerCase()}`,
        address,
      ]),
    );
    identity.verifiableAddresses = dedupe(extracted.verifiableAddresses).map((address): VerifiableAddress => {
      const key = `${address.via}:${address.value}`;
      const explicit = given.get(key);
      const kept = previous.get(key);
      const verified = explicit?.verified ?? kept?.verified ?? false;
      return {
        id: kept?.id ?? random.uuid(),
        value: address.value,
        via: address.via,
        verified,
        verifiedAt: verified ? (explicit?.verifiedAt ?? kept?.verifiedAt ?? now) : undefined,
        status: explicit?.status ?? kept?.status ?? (verified ? 'completed' : 'pending'),
        createdAt: kept?.createdAt ?? now,
        updatedAt: now,
      };
    });
    const previousRecovery = new Map(
      identity.recoveryAddresses.map((address) => [`${address.via}:${address.value}`, address]),
    );
    identity.recoveryAddresses = dedupe(extracted.recoveryAddresses).map((address): RecoveryAddress => {
      const kept = previousRecovery.get(`${address.via}:${address.value}`);
      return {
        id: kept?.id ?? random.uuid(),
        value: address.value,
        via: address.via,
        createdAt: kept?.createdAt ?? now,
        updatedAt: now,
      };
    });
  }

  private async passwordConfig(
    config: NonNullable<IdentityInput['password']>,
  ): Promise<Credential['config']> {
    if (config.hashedPassword !== undefined) {
      try {
        parseHash(config.hashedPassword);
      } catch (error) {
        if (error instanceof HashFormatError)
          throw badRequest(`The hashed password is not supported: ${error.message}`);
        throw error;
      }
      return { hashed_password: config.hashedPassword };
    }
    if (config.password !== undefined) {
      // Admin imports set passwords as given: the password policy applies to self-service only.
      return { hashed_password: await this.deps.hasher.hash(config.password) };
    }
    if (config.usePasswordMigrationHook) return { use_password_migration_hook: true };
    return {};
  }
}

function dedupe(addresses: { value: string; via: AddressVia }[]): { value: string; via: AddressVia }[] {
  const seen = new Set<string>();
  return addresses
    .map((address) => ({ value: address.value.toLowerCase(), via: address.via }))
    .filter((address) => {
      const key = `${address.via}:${address.value}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

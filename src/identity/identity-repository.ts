import type { Kysely, Selectable, SelectQueryBuilder, Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import type { IdentitiesTable, Tables } from '../db/tables.js';
import { fromDbBool, fromDbDate, fromDbJson, isUniqueViolation, toDbJson } from '../db/values.js';
import type { RandomSource } from '../random.js';
import type { Credential, Identity, RecoveryAddress, VerifiableAddress } from './identity.js';

/** Another identity already holds one of this identity's identifiers or addresses. */
export class DuplicateIdentityError extends Error {
  override name = 'DuplicateIdentityError';
}

export interface ListIdentitiesQuery {
  /** Keyset pagination: identities with an id after this one, in id order. */
  afterId?: string;
  /** Page pagination (legacy `page`/`per_page`): skip this many. */
  offset?: number;
  limit: number;
  ids?: readonly string[];
  /** Identities holding this credential identifier (any credential type), as stored. */
  credentialsIdentifier?: string;
}

type Db = Kysely<Tables> | Transaction<Tables>;

/**
 * Identities with their credentials, identifiers and addresses, stored in the tables of migration
 * 0001. Writes run in one transaction; uniqueness of identifiers and addresses is the database's
 * to enforce, so two nodes creating the same email at once cannot both succeed.
 */
export class IdentityRepository {
  constructor(
    private readonly db: Database,
    private readonly random: RandomSource,
  ) {}

  /** Inserts a new identity. Throws DuplicateIdentityError when an identifier or address is taken. */
  async create(identity: Identity): Promise<void> {
    await this.write(async (trx) => {
      await trx
        .insertInto('identities')
        .values({
          id: identity.id,
          schema_id: identity.schemaId,
          traits: toDbJson(identity.traits),
          state: identity.state,
          state_changed_at: identity.stateChangedAt?.toISOString() ?? null,
          metadata_public: identity.metadataPublic == null ? null : toDbJson(identity.metadataPublic),
          metadata_admin: identity.metadataAdmin == null ? null : toDbJson(identity.metadataAdmin),
          external_id: identity.externalId ?? null,
          organization_id: identity.organizationId,
          available_aal: null,
          created_at: identity.createdAt.toISOString(),
          updated_at: identity.updatedAt.toISOString(),
        })
        .execute();
      await insertChildren(trx, identity, this.random);
    });
  }

  /** Replaces a stored identity and all its credentials and addresses. False when it is gone. */
  async update(identity: Identity): Promise<boolean> {
    return this.write(async (trx) => {
      const result = await trx
        .updateTable('identities')
        .set({
          schema_id: identity.schemaId,
          traits: toDbJson(identity.traits),
          state: identity.state,
          state_changed_at: identity.stateChangedAt?.toISOString() ?? null,
          metadata_public: identity.metadataPublic == null ? null : toDbJson(identity.metadataPublic),
          metadata_admin: identity.metadataAdmin == null ? null : toDbJson(identity.metadataAdmin),
          external_id: identity.externalId ?? null,
          organization_id: identity.organizationId,
          updated_at: identity.updatedAt.toISOString(),
        })
        .where('id', '=', identity.id)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      for (const table of CHILD_TABLES)
        await trx.deleteFrom(table).where('identity_id', '=', identity.id).execute();
      await insertChildren(trx, identity, this.random);
      return true;
    });
  }

  async get(id: string): Promise<Identity | undefined> {
    const [identity] = await this.load(
      this.db.kysely.selectFrom('identities').selectAll().where('id', '=', id),
    );
    return identity;
  }

  /**
   * The identity with its traits, state and addresses but `credentials` left empty: what a
   * session shows (whoami never shows credentials), in two queries fewer. Never write such an
   * identity back: `update` would take the empty credentials for the new ones.
   */
  async getWithoutCredentials(id: string): Promise<Identity | undefined> {
    const [identity] = await this.load(
      this.db.kysely.selectFrom('identities').selectAll().where('id', '=', id),
      { credentials: false },
    );
    return identity;
  }

  /** A page of identities in id order, with everything that belongs to them. */
  async list(query: ListIdentitiesQuery): Promise<Identity[]> {
    let select = this.db.kysely.selectFrom('identities').selectAll();
    if (query.ids) select = select.where('id', 'in', query.ids.length > 0 ? [...query.ids] : ['']);
    if (query.credentialsIdentifier !== undefined) {
      select = select.where(
        'id',
        'in',
        this.db.kysely
          .selectFrom('identity_credential_identifiers')
          .select('identity_id')
          .where('identifier', '=', query.credentialsIdentifier),
      );
    }
    if (query.afterId !== undefined) select = select.where('id', '>', query.afterId);
    select = select.orderBy('id').limit(query.limit);
    if (query.offset) select = select.offset(query.offset);
    return this.load(select);
  }

  async count(): Promise<number> {
    const row = await this.db.kysely
      .selectFrom('identities')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** The identity holding `identifier` for credential `type` (identifiers are stored normalised). */
  async findByCredentialsIdentifier(type: string, identifier: string): Promise<Identity | undefined> {
    const [identity] = await this.load(
      this.db.kysely
        .selectFrom('identities')
        .selectAll()
        .where(
          'id',
          'in',
          this.db.kysely
            .selectFrom('identity_credential_identifiers')
            .select('identity_id')
            .where('type', '=', type)
            .where('identifier', '=', identifier),
        ),
    );
    return identity;
  }

  /** Deletes an identity and everything that belongs to it. False when there was none. */
  async delete(id: string): Promise<boolean> {
    const result = await this.db.kysely.deleteFrom('identities').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  private async write<T>(work: (trx: Transaction<Tables>) => Promise<T>): Promise<T> {
    try {
      return await this.db.kysely.transaction().execute(work);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DuplicateIdentityError(
          'an identifier or address of this identity belongs to another identity',
        );
      }
      throw error;
    }
  }

  private async load(
    select: SelectQueryBuilder<Tables, 'identities', Selectable<IdentitiesTable>>,
    options: { credentials: boolean } = { credentials: true },
  ): Promise<Identity[]> {
    const rows = await select.execute();
    if (rows.length === 0) return [];
    const ids = rows.map((row) => row.id);
    const db: Db = this.db.kysely;
    const [credentials, identifiers, verifiable, recovery] = await Promise.all([
      options.credentials
        ? db.selectFrom('identity_credentials').selectAll().where('identity_id', 'in', ids).execute()
        : [],
      options.credentials
        ? db
            .selectFrom('identity_credential_identifiers')
            .selectAll()
            .where('identity_id', 'in', ids)
            .orderBy('identifier')
            .execute()
        : [],
      db
        .selectFrom('identity_verifiable_addresses')
        .selectAll()
        .where('identity_id', 'in', ids)
        .orderBy('created_at')
        .orderBy('value')
        .execute(),
      db
        .selectFrom('identity_recovery_addresses')
        .selectAll()
        .where('identity_id', 'in', ids)
        .orderBy('created_at')
        .orderBy('value')
        .execute(),
    ]);
    return rows
      .map((row) => {
        const identity: Identity = {
          id: row.id,
          schemaId: row.schema_id,
          traits: fromDbJson(row.traits),
          state: row.state === 'inactive' ? 'inactive' : 'active',
          stateChangedAt: row.state_changed_at ? fromDbDate(row.state_changed_at) : undefined,
          metadataPublic: row.metadata_public == null ? null : fromDbJson(row.metadata_public),
          metadataAdmin: row.metadata_admin == null ? null : fromDbJson(row.metadata_admin),
          externalId: row.external_id ?? undefined,
          organizationId: row.organization_id,
          verifiableAddresses: [],
          recoveryAddresses: [],
          credentials: {},
          createdAt: fromDbDate(row.created_at),
          updatedAt: fromDbDate(row.updated_at),
        };
        return identity;
      })
      .map((identity) => {
        for (const credential of credentials) {
          if (credential.identity_id !== identity.id) continue;
          identity.credentials[credential.type] = {
            id: credential.id,
            type: credential.type,
            identifiers: identifiers
              .filter((identifier) => identifier.identity_credential_id === credential.id)
              .map((identifier) => identifier.identifier),
            config: fromDbJson(credential.config) as Record<string, unknown>,
            version: credential.version,
            createdAt: fromDbDate(credential.created_at),
            updatedAt: fromDbDate(credential.updated_at),
          };
        }
        identity.verifiableAddresses = verifiable
          .filter((address) => address.identity_id === identity.id)
          .map((address) => ({
            id: address.id,
            value: address.value,
            via: address.via as VerifiableAddress['via'],
            verified: fromDbBool(address.verified),
            verifiedAt: address.verified_at ? fromDbDate(address.verified_at) : undefined,
            status: address.status as VerifiableAddress['status'],
            createdAt: fromDbDate(address.created_at),
            updatedAt: fromDbDate(address.updated_at),
          }));
        identity.recoveryAddresses = recovery
          .filter((address) => address.identity_id === identity.id)
          .map((address) => ({
            id: address.id,
            value: address.value,
            via: address.via as RecoveryAddress['via'],
            createdAt: fromDbDate(address.created_at),
            updatedAt: fromDbDate(address.updated_at),
          }));
        return identity;
      });
  }
}

const CHILD_TABLES = [
  'identity_credential_identifiers',
  'identity_credentials',
  'identity_verifiable_addresses',
  'identity_recovery_addresses',
] as const;

async function insertChildren(
  trx: Transaction<Tables>,
  identity: Identity,
  random: RandomSource,
): Promise<void> {
  for (const credential of Object.values(identity.credentials) as Credential[]) {
    await trx
      .insertInto('identity_credentials')
      .values({
        id: credential.id,
        identity_id: identity.id,
        type: credential.type,
        config: toDbJson(credential.config),
        version: credential.version,
        created_at: credential.createdAt.toISOString(),
        updated_at: credential.updatedAt.toISOString(),
      })
      .execute();
    for (const identifier of new Set(credential.identifiers)) {
      await trx
        .insertInto('identity_credential_identifiers')
        .values({
          id: random.uuid(),
          identity_credential_id: credential.id,
          identity_id: identity.id,
          type: credential.type,
          identifier,
          created_at: credential.createdAt.toISOString(),
          updated_at: credential.updatedAt.toISOString(),
        })
        .execute();
    }
  }
  for (const address of identity.verifiableAddresses) {
    await trx
      .insertInto('identity_verifiable_addresses')
      .values({
        id: address.id,
        identity_id: identity.id,
        via: address.via,
        value: address.value,
        // PostgreSQL reads 1/0 as a boolean, SQLite stores them as they are.
        verified: address.verified ? 1 : 0,
        verified_at: address.verifiedAt?.toISOString() ?? null,
        status: address.status,
        created_at: address.createdAt.toISOString(),
        updated_at: address.updatedAt.toISOString(),
      })
      .execute();
  }
  for (const address of identity.recoveryAddresses) {
    await trx
      .insertInto('identity_recovery_addresses')
      .values({
        id: address.id,
        identity_id: identity.id,
        via: address.via,
        value: address.value,
        created_at: address.createdAt.toISOString(),
        updated_at: address.updatedAt.toISOString(),
      })
      .execute();
  }
}

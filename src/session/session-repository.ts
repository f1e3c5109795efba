import type { Selectable } from 'kysely';
import type { Database } from '../db/database.js';
import type { SessionsTable } from '../db/tables.js';
import { fromDbBool, fromDbDate, fromDbJson, toDbJson } from '../db/values.js';
import type { AuthenticationMethod, Session, SessionDevice } from './session.js';

export interface ListSessionsQuery {
  identityId?: string;
  /** Only sessions whose stored flag is on and that have not expired at `now`. */
  activeAt?: Date;
  /** Only sessions revoked or expired at `now` (`active=false`). */
  inactiveAt?: Date;
  exceptId?: string;
  afterId?: string;
  offset?: number;
  limit: number;
}

/** Sessions in the `sessions` table (migration 0002), found by id or by the hash of a token. */
export class SessionRepository {
  constructor(private readonly db: Database) {}

  async create(session: Session, tokenHash: string, logoutTokenHash: string): Promise<void> {
    await this.db.kysely
      .insertInto('sessions')
      .values({
        id: session.id,
        identity_id: session.identityId,
        token_hash: tokenHash,
        logout_token_hash: logoutTokenHash,
        active: session.active ? 1 : 0,
        issued_at: session.issuedAt.toISOString(),
        authenticated_at: session.authenticatedAt.toISOString(),
        expires_at: session.expiresAt.toISOString(),
        aal: session.aal,
        authentication_methods: toDbJson(
          session.authenticationMethods.map((method) => ({
            ...method,
            completedAt: method.completedAt.toISOString(),
          })),
        ),
        devices: toDbJson(session.devices),
        created_at: session.createdAt.toISOString(),
        updated_at: session.updatedAt.toISOString(),
      })
      .execute();
  }

  async get(id: string): Promise<Session | undefined> {
    const row = await this.db.kysely
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toSession(row);
  }

  async findByTokenHash(tokenHash: string): Promise<Session | undefined> {
    const row = await this.db.kysely
      .selectFrom('sessions')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row && toSession(row);
  }

  async list(query: ListSessionsQuery): Promise<Session[]> {
    let select = this.db.kysely.selectFrom('sessions').selectAll();
    if (query.identityId !== undefined) select = select.where('identity_id', '=', query.identityId);
    if (query.exceptId !== undefined) select = select.where('id', '!=', query.exceptId);
    if (query.activeAt) {
      select = select.where('active', '=', 1).where('expires_at', '>', query.activeAt.toISOString());
    }
    if (query.inactiveAt) {
      const at = query.inactiveAt.toISOString();
      select = select.where((eb) => eb.or([eb('active', '=', 0), eb('expires_at', '<=', at)]));
    }
    if (query.afterId !== undefined) select = select.where('id', '>', query.afterId);
    select = select.orderBy('id').limit(query.limit);
    if (query.offset) select = select.offset(query.offset);
    return (await select.execute()).map(toSession);
  }

  async count(query: Omit<ListSessionsQuery, 'limit' | 'afterId' | 'offset'>): Promise<number> {
    let select = this.db.kysely
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<number | string>().as('count'));
    if (query.identityId !== undefined) select = select.where('identity_id', '=', query.identityId);
    if (query.exceptId !== undefined) select = select.where('id', '!=', query.exceptId);
    if (query.activeAt) {
      select = select.where('active', '=', 1).where('expires_at', '>', query.activeAt.toISOString());
    }
    return Number((await select.executeTakeFirstOrThrow()).count);
  }

  /** Turns sessions off (revokes them). Gives how many were on. */
  async deactivate(
    filter: { id?: string; identityId?: string; exceptId?: string },
    now: Date,
  ): Promise<number> {
    let update = this.db.kysely
      .updateTable('sessions')
      .set({ active: 0, updated_at: now.toISOString() })
      .where('active', '=', 1);
    if (filter.id !== undefined) update = update.where('id', '=', filter.id);
    if (filter.identityId !== undefined) update = update.where('identity_id', '=', filter.identityId);
    if (filter.exceptId !== undefined) update = update.where('id', '!=', filter.exceptId);
    return Number((await update.executeTakeFirst()).numUpdatedRows);
  }

  async delete(filter: { id?: string; identityId?: string }): Promise<number> {
    let remove = this.db.kysely.deleteFrom('sessions');
    if (filter.id !== undefined) remove = remove.where('id', '=', filter.id);
    if (filter.identityId !== undefined) remove = remove.where('identity_id', '=', filter.identityId);
    return Number((await remove.executeTakeFirst()).numDeletedRows);
  }

  /** Records a new authentication on a session (a refresh): methods, times, expiry, activation. */
  async reauthenticate(session: Session): Promise<void> {
    await this.db.kysely
      .updateTable('sessions')
      .set({
        active: session.active ? 1 : 0,
        authenticated_at: session.authenticatedAt.toISOString(),
        expires_at: session.expiresAt.toISOString(),
        aal: session.aal,
        authentication_methods: toDbJson(
          session.authenticationMethods.map((method) => ({
            ...method,
            completedAt: method.completedAt.toISOString(),
          })),
        ),
        updated_at: session.updatedAt.toISOString(),
      })
      .where('id', '=', session.id)
      .execute();
  }

  async setExpiry(id: string, expiresAt: Date, now: Date): Promise<void> {
    await this.db.kysely
      .updateTable('sessions')
      .set({ expires_at: expiresAt.toISOString(), updated_at: now.toISOString() })
      .where('id', '=', id)
      .execute();
  }
}

function toSession(row: Selectable<SessionsTable>): Session {
  return {
    id: row.id,
    identityId: row.identity_id,
    active: fromDbBool(row.active),
    issuedAt: fromDbDate(row.issued_at),
    authenticatedAt: fromDbDate(row.authenticated_at),
    expiresAt: fromDbDate(row.expires_at),
    aal: row.aal as Session['aal'],
    authenticationMethods: (
      fromDbJson(row.authentication_methods) as (Omit<AuthenticationMethod, 'completedAt'> & {
        completedAt: string;
      })[]
    ).map((method) => ({ ...method, completedAt: new Date(method.completedAt) })),
    devices: fromDbJson(row.devices) as SessionDevice[],
    createdAt: fromDbDate(row.created_at),
    updatedAt: fromDbDate(row.updated_at),
  };
}

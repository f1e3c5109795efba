import type { Selectable } from 'kysely';
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import type { SelfserviceErrorsTable } from '../../db/tables.js';
import { fromDbDate, fromDbJson, toDbJson } from '../../db/values.js';
import { HttpError } from '../../http/http-error.js';
import type { RandomSource } from '../../random.js';
import { unmaskCsrfToken } from '../flow/csrf.js';

/** An error a browser was sent to the error UI with, as stored for that UI to fetch. */
export interface SelfServiceError {
  id: string;
  /** The error's own fields (`id`, `code`, `status`, `reason`, `details`, `message`), unwrapped. */
  error: Record<string, unknown>;
  /** The raw CSRF token of the browser that hit the error; empty when it had none. */
  csrfToken: string;
  /** When the error was last read before the current read; undefined until it has been read. */
  seenAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

export interface SelfServiceErrorRepositoryDependencies {
  clock: Clock;
  random: RandomSource;
}

/** Errors for the error UI in the `selfservice_errors` table (migration 0003). */
export class SelfServiceErrorRepository {
  constructor(
    private readonly db: Database,
    private readonly deps: SelfServiceErrorRepositoryDependencies,
  ) {}

  /**
   * Stores an error and gives its new id. An HttpError is stored as Kratos stores a herodot error:
   * its own fields only (what `toJSON` puts under `error`), without a request id and without the
   * top-level siblings (`use_flow_id`, `redirect_browser_to`). Any other object is stored as is.
   */
  async create(error: HttpError | Record<string, unknown>, csrfToken: string): Promise<string> {
    const id = this.deps.random.uuid();
    const now = this.deps.clock.now().toISOString();
    const body = error instanceof HttpError ? error.toJSON().error : error;
    await this.db.kysely
      .insertInto('selfservice_errors')
      .values({
        id,
        error: toDbJson(body),
        // Flows carry the token masked (88 characters); the column holds the raw cookie value.
        csrf_token: unmaskCsrfToken(csrfToken) ?? csrfToken,
        seen_at: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return id;
  }

  /**
   * The error with this id, and marks it seen now. As in Kratos, every read marks it again and
   * the answer is the record as it was before this read; `updated_at` stays as it was.
   */
  async get(id: string): Promise<SelfServiceError | undefined> {
    const row = await this.db.kysely
      .selectFrom('selfservice_errors')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    await this.db.kysely
      .updateTable('selfservice_errors')
      .set({ seen_at: this.deps.clock.now().toISOString() })
      .where('id', '=', id)
      .execute();
    return toSelfServiceError(row);
  }

  /**
   * Removes errors created before `before`, read or not, and gives how many. (Kratos only ever
   * clears errors that were read, so one a browser never fetched would stay forever.)
   */
  async deleteOlderThan(before: Date): Promise<number> {
    const result = await this.db.kysely
      .deleteFrom('selfservice_errors')
      .where('created_at', '<', before.toISOString())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function toSelfServiceError(row: Selectable<SelfserviceErrorsTable>): SelfServiceError {
  return {
    id: row.id,
    error: fromDbJson(row.error) as Record<string, unknown>,
    csrfToken: row.csrf_token,
    seenAt: row.seen_at === null ? undefined : fromDbDate(row.seen_at),
    createdAt: fromDbDate(row.created_at),
    updatedAt: fromDbDate(row.updated_at),
  };
}

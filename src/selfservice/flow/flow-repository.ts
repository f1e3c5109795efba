import type { Selectable } from 'kysely';
import type { Database } from '../../db/database.js';
import type { SelfserviceFlowsTable } from '../../db/tables.js';
import { fromDbDate, fromDbJson, toDbJson } from '../../db/values.js';
import type { Flow, FlowKind } from './flow.js';

/** Self-service flows in the `selfservice_flows` table (migration 0003). */
export class FlowRepository {
  constructor(private readonly db: Database) {}

  async create(flow: Flow): Promise<void> {
    await this.db.kysely.insertInto('selfservice_flows').values(toRow(flow)).execute();
  }

  /** The flow with this id, if it is of this kind: a login flow id does not open a settings flow. */
  async get(kind: FlowKind, id: string): Promise<Flow | undefined> {
    const row = await this.db.kysely
      .selectFrom('selfservice_flows')
      .selectAll()
      .where('id', '=', id)
      .where('kind', '=', kind)
      .executeTakeFirst();
    return row && toFlow(row);
  }

  /** Stores what a submit changed: state, ui, active method, data. False when the flow is gone. */
  async update(flow: Flow): Promise<boolean> {
    const result = await this.db.kysely
      .updateTable('selfservice_flows')
      .set({
        state: flow.state,
        return_to: flow.returnTo,
        active: flow.active ?? null,
        identity_id: flow.identityId ?? null,
        ui: toDbJson(flow.ui),
        data: toDbJson(flow.data),
        updated_at: flow.updatedAt.toISOString(),
      })
      .where('id', '=', flow.id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Removes flows that expired before `before`; gives how many. */
  async deleteExpired(before: Date): Promise<number> {
    const result = await this.db.kysely
      .deleteFrom('selfservice_flows')
      .where('expires_at', '<', before.toISOString())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function toRow(flow: Flow) {
  return {
    id: flow.id,
    kind: flow.kind,
    type: flow.type,
    state: flow.state,
    request_url: flow.requestUrl,
    return_to: flow.returnTo,
    csrf_token: flow.csrfToken,
    identity_id: flow.identityId ?? null,
    active: flow.active ?? null,
    ui: toDbJson(flow.ui),
    data: toDbJson(flow.data),
    issued_at: flow.issuedAt.toISOString(),
    expires_at: flow.expiresAt.toISOString(),
    created_at: flow.createdAt.toISOString(),
    updated_at: flow.updatedAt.toISOString(),
  };
}

function toFlow(row: Selectable<SelfserviceFlowsTable>): Flow {
  return {
    id: row.id,
    kind: row.kind as FlowKind,
    type: row.type === 'api' ? 'api' : 'browser',
    state: row.state,
    requestUrl: row.request_url,
    returnTo: row.return_to,
    csrfToken: row.csrf_token,
    identityId: row.identity_id ?? undefined,
    active: row.active ?? undefined,
    ui: fromDbJson(row.ui) as Record<string, unknown>,
    data: fromDbJson(row.data) as Record<string, unknown>,
    issuedAt: fromDbDate(row.issued_at),
    expiresAt: fromDbDate(row.expires_at),
    createdAt: fromDbDate(row.created_at),
    updatedAt: fromDbDate(row.updated_at),
  };
}

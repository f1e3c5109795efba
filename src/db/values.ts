/**
 * Conversions between gatehouse's values and what the two dialects store: PostgreSQL has
 * `timestamptz`, `jsonb` and `boolean` and returns Date, parsed JSON and booleans; SQLite stores
 * ISO-8601 text, JSON text and 0/1 and returns them as such.
 */

/** JSON for a `json` column: text works for both (PostgreSQL casts it to jsonb). */
export function toDbJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

export function fromDbJson(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

export function fromDbDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

export function fromDbBool(value: boolean | number): boolean {
  return value === true || value === 1;
}

/** Whether a database error is a broken unique constraint (either dialect). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

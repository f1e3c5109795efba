/** The self-service flows, as Kratos names them in routes and in `ui.action`. */
export type FlowKind = 'login' | 'registration' | 'settings' | 'recovery' | 'verification';

/** `browser`: cookies and CSRF, answers by redirect or JSON; `api`: native apps, tokens, JSON only. */
export type FlowType = 'browser' | 'api';

/**
 * A stored self-service flow: what every kind shares. `ui` is the container as JSON (what every
 * UI renders); `data` holds what only some kinds have (login's `refresh` and `requested_aal`,
 * `transient_payload`, ...), in Kratos' field names.
 */
export interface Flow {
  id: string;
  kind: FlowKind;
  type: FlowType;
  state: string;
  requestUrl: string;
  returnTo: string;
  /** The raw token of the browser's CSRF cookie when the flow began; '' for API flows. */
  csrfToken: string;
  /** Whose settings a settings flow changes. */
  identityId?: string;
  /** The method last submitted (`password`, `profile`, ...). */
  active?: string;
  ui: Record<string, unknown>;
  data: Record<string, unknown>;
  issuedAt: Date;
  expiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** Whether the flow can no longer be submitted at `now`. */
export function isExpired(flow: Flow, now: Date): boolean {
  return flow.expiresAt.getTime() <= now.getTime();
}

import { STATUS_CODES } from 'node:http';

// Where Go's reason phrase (which Ory sends in `status`) differs from Node's.
const GO_STATUS_TEXT: Record<number, string> = {
  413: 'Request Entity Too Large',
  414: 'Request URI Too Long',
  416: 'Requested Range Not Satisfiable',
};

export function statusText(code: number): string {
  return GO_STATUS_TEXT[code] ?? STATUS_CODES[code] ?? '';
}

export interface HttpErrorInit {
  code: number;
  message: string;
  /** Machine-readable id (`self_service_flow_expired`); plain 404/409 carry none, as in Ory. */
  id?: string;
  reason?: string;
  details?: Record<string, unknown>;
  /** Top-level siblings of `error` (`use_flow_id`, `redirect_browser_to`). */
  extra?: Record<string, unknown>;
}

/**
 * An error that is an HTTP answer, rendered in Ory's shape:
 * `{"error":{"id","code","status","request","reason","details","message"}, ...extra}`.
 * Its message is for the client: it says what to fix and never holds a secret.
 */
export class HttpError extends Error {
  readonly code: number;
  readonly id?: string;
  readonly reason?: string;
  readonly details?: Record<string, unknown>;
  readonly extra?: Record<string, unknown>;

  constructor(init: HttpErrorInit) {
    super(init.message);
    this.name = 'HttpError';
    this.code = init.code;
    this.id = init.id;
    this.reason = init.reason;
    this.details = init.details;
    this.extra = init.extra;
  }

  /** The JSON body; `requestId` goes into `error.request`. Key order follows Ory's. */
  toJSON(requestId?: string): Record<string, unknown> {
    const error: Record<string, unknown> = {};
    if (this.id) error.id = this.id;
    error.code = this.code;
    error.status = statusText(this.code);
    if (requestId) error.request = requestId;
    if (this.reason) error.reason = this.reason;
    if (this.details && Object.keys(this.details).length > 0) error.details = this.details;
    error.message = this.message;
    return { error, ...this.extra };
  }
}

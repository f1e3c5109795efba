/**
 * Why the pipeline refused a request: the HTTP status, Oathkeeper's message for it, and details
 * for the verbose JSON handler. Error handlers decide how the client sees it.
 */
export class PipelineError extends Error {
  override name = 'PipelineError';
  readonly status: number;
  readonly reason?: string;
  readonly details?: Record<string, unknown>;
  /** Headers a handler wants on the error answer (Retry-After on 429). */
  readonly headers?: Record<string, string>;
  /** The condition name `when` sees; a 429 pass-through counts as internal_server_error, as in Oathkeeper. */
  readonly condition: 'unauthorized' | 'forbidden' | 'not_found' | 'internal_server_error' | 'other';

  constructor(
    status: number,
    message: string,
    options: {
      reason?: string;
      details?: Record<string, unknown>;
      headers?: Record<string, string>;
      hideStatusFromWhen?: boolean;
    } = {},
  ) {
    super(message);
    this.status = status;
    this.reason = options.reason;
    this.details = options.details;
    this.headers = options.headers;
    this.condition = options.hideStatusFromWhen
      ? 'internal_server_error'
      : status === 401
        ? 'unauthorized'
        : status === 403
          ? 'forbidden'
          : status === 404
            ? 'not_found'
            : status === 500
              ? 'internal_server_error'
              : 'other';
  }
}

export const pipelineErrors = {
  unauthorized: (reason?: string) => new PipelineError(401, 'Access credentials are invalid', { reason }),
  forbidden: (reason?: string) =>
    new PipelineError(403, 'Access credentials are not sufficient to access this resource', { reason }),
  noRule: () => new PipelineError(404, 'Requested url does not match any rules'),
  severalRules: () => new PipelineError(500, 'Expected exactly one rule but found multiple rules'),
  misconfigured: (kind: string, reason?: string) =>
    new PipelineError(500, `${kind} matching this route is misconfigured or disabled`, { reason }),
  internal: (message: string, reason?: string) => new PipelineError(500, message, { reason }),
};

/** Go's generic messages, which the json handler uses when not verbose. */
export const GENERIC_MESSAGES: Record<number, string> = {
  400: 'The request was malformed or contained invalid parameters',
  401: 'The request could not be authorized',
  403: 'The requested action was forbidden',
  404: 'The requested resource could not be found',
  409: 'The request could not be completed due to a conflict',
  415: 'The request has an unsupported media type',
  429: 'The client has sent too many requests',
  500: 'An internal server error occurred, please contact the system administrator',
};

import { HttpError } from '../../http/http-error.js';
import type { FlowKind } from './flow.js';

/**
 * 410 for a flow submitted after it expired. `use_flow_id` names the replacement the caller
 * should continue with (already created, carrying the expiry message); `since` is how long ago
 * it expired, in integer nanoseconds as Go encodes a Duration.
 */
export function flowExpired(expiredAt: Date, now: Date, replacementId: string): HttpError {
  const agoMs = now.getTime() - expiredAt.getTime();
  return new HttpError({
    code: 410,
    id: 'self_service_flow_expired',
    message: 'self-service flow expired',
    reason: `The self-service flow expired ${(agoMs / 60_000).toFixed(2)} minutes ago, initialize a new one.`,
    extra: {
      expired_at: expiredAt.toISOString(),
      since: Math.round(agoMs * 1e6),
      use_flow_id: replacementId,
    },
  });
}

/** 422 for a JSON browser request whose flow can only go on in a full page load elsewhere. */
export function browserLocationChangeRequired(redirectTo: string): HttpError {
  return new HttpError({
    code: 422,
    id: 'browser_location_change_required',
    message: 'browser location change required',
    reason: `In order to complete this flow please redirect the browser to: ${redirectTo}`,
    extra: { redirect_browser_to: redirectTo },
  });
}

/** 400 for starting a login or registration while signed in (login without `refresh=true`). */
export function sessionAlreadyAvailable(kind: 'login' | 'registration'): HttpError {
  return new HttpError({
    code: 400,
    id: 'session_already_available',
    message: 'you are already logged in',
    reason:
      kind === 'login'
        ? 'A valid session was detected and thus login is not possible. Did you forget to set `?refresh=true`?'
        : 'A valid session was detected and thus registration is not possible.',
  });
}

/** 400 when a submit names no flow (`?flow=` missing or not a UUID). */
export function flowIdMissing(): HttpError {
  return new HttpError({
    code: 400,
    message: 'The request was malformed or contained invalid parameters',
    reason: 'The flow query parameter is missing or malformed.',
  });
}

/** 404 for a flow id that names no flow of this kind (a malformed id included, as in Kratos). */
export function flowNotFound(): HttpError {
  return new HttpError({ code: 404, message: 'Unable to locate the resource' });
}

/**
 * 410 for fetching (not submitting) an expired flow: where to start a new one, a browser's
 * init URL with its return_to, or the API init endpoint.
 */
export function fetchedFlowExpired(
  kind: FlowKind,
  next: { type: 'browser'; redirectTo: string; returnTo: string } | { type: 'api'; api: string },
): HttpError {
  return new HttpError({
    code: 410,
    id: 'self_service_flow_expired',
    message: 'The requested resource is no longer available because it has expired or is otherwise invalid.',
    reason:
      next.type === 'browser'
        ? `The ${kind} flow has expired. Redirect the user to the ${kind} flow init endpoint to initialize a new ${kind} flow.`
        : `The ${kind} flow has expired. Call the ${kind} flow init API endpoint to initialize a new ${kind} flow.`,
    details:
      next.type === 'browser'
        ? { redirect_to: next.redirectTo, return_to: next.returnTo }
        : { api: next.api },
  });
}

/** 400 for registration (or another flow) switched off in the config. */
export function flowDisabled(kind: FlowKind): HttpError {
  return new HttpError({
    code: 400,
    id: 'self_service_flow_disabled',
    message: `${kind} flow disabled`,
    reason: `${kind[0]!.toUpperCase()}${kind.slice(1)} is not allowed because it was disabled.`,
  });
}

/** 404, as Kratos answers a submit for a method switched off in the config. */
export function methodDisabled(): HttpError {
  return new HttpError({
    code: 404,
    message: 'The requested resource could not be found',
    reason:
      'This endpoint was disabled by system administrator. Please check your url or contact the system administrator to enable it.',
  });
}

import type { TLSSocket } from 'node:tls';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../clock.js';
import { HttpError } from '../../http/http-error.js';
import type { RandomSource } from '../../random.js';
import type { CookieOptions } from '../../session/session-manager.js';
import type { SelfserviceConfig } from '../selfservice-config.js';
import { csrfTokensMatch, csrfViolation, isCsrfToken, maskCsrfToken, newCsrfToken } from './csrf.js';
import { type Flow, type FlowKind, type FlowType, isExpired } from './flow.js';
import { fetchedFlowExpired, flowIdMissing, flowNotFound } from './flow-errors.js';
import type { FlowRepository } from './flow-repository.js';
import { type AllowedReturnUrl, secureReturnTo } from './return-to.js';
import { UiContainer } from './ui-container.js';
import { csrfTokenNode } from './ui-node.js';

/** What every flow's routes share: config, storage, clock, randomness, the CSRF cookie. */
export interface FlowHttpDependencies {
  config: SelfserviceConfig;
  /** `serve.public.base_url`, ending in `/`. */
  publicBaseUrl: URL;
  allowedReturnUrls: readonly AllowedReturnUrl[];
  flows: FlowRepository;
  clock: Clock;
  random: RandomSource;
  csrfCookie: { name: string; options: CookieOptions };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A URL under the public base URL (its path kept when the base has one). */
export function publicUrl(deps: FlowHttpDependencies, path: string): URL {
  return new URL(path.replace(/^\//, ''), deps.publicBaseUrl);
}

/**
 * The URL the client asked for, as Kratos records it in `request_url`: the scheme and host a proxy
 * in front reports (X-Forwarded-Proto/-Host), else this connection's.
 */
export function requestUrlOf(request: FastifyRequest): string {
  const forwardedProto = header(request, 'x-forwarded-proto');
  const scheme = forwardedProto ?? ((request.raw.socket as TLSSocket).encrypted ? 'https' : 'http');
  const host = header(request, 'x-forwarded-host') ?? request.headers.host ?? 'localhost';
  return `${scheme}://${host}${request.url}`;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first ? first.split(',')[0]!.trim() : undefined;
}

/** The query parameters of a request as single strings (the first of repeated ones). */
export function queryOf(request: FastifyRequest): Record<string, string> {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const single: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) single[key] = String(first);
  }
  return single;
}

/**
 * The browser's CSRF token: the one its cookie holds when that is a token, else a new one, set as
 * the cookie on this answer. Flows remember it; submits must carry it back masked.
 */
export function browserCsrfToken(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: FlowHttpDependencies,
): string {
  const existing = request.cookies?.[deps.csrfCookie.name];
  if (existing && isCsrfToken(existing)) return existing;
  const token = newCsrfToken(deps.random);
  reply.setCookie(deps.csrfCookie.name, token, deps.csrfCookie.options);
  return token;
}

/** A new CSRF token for the browser, after a sign-in or sign-out (a fixated token is worthless). */
export function rotateCsrfToken(reply: FastifyReply, deps: FlowHttpDependencies): string {
  const token = newCsrfToken(deps.random);
  reply.setCookie(deps.csrfCookie.name, token, deps.csrfCookie.options);
  return token;
}

/**
 * Checks a browser submit: the body's `csrf_token` must belong to the CSRF cookie the browser
 * sends (compared in constant time). As in Kratos the flow's own token is not required: a flow
 * begun before a sign-in rotated the cookie can still be submitted with the new one.
 * Throws Kratos' 403 `security_csrf_violation`.
 */
export function checkCsrf(request: FastifyRequest, submitted: unknown, deps: FlowHttpDependencies): void {
  const ajax = ['cors', 'same-origin'].includes(String(request.headers['sec-fetch-mode'] ?? ''));
  if (!request.headers.cookie) throw csrfViolation('no_cookie_header', ajax);
  const cookie = request.cookies?.[deps.csrfCookie.name];
  if (!cookie) throw csrfViolation('csrf_cookie_missing', ajax);
  if (typeof submitted !== 'string' || submitted === '') throw csrfViolation('token_not_sent', ajax);
  if (!csrfTokensMatch(cookie, submitted)) throw csrfViolation('token_mismatch', ajax);
}

/** Whether a browser's CSRF cookie belongs to the flow (browser flows are only shown to it). */
export function csrfCookieMatchesFlow(
  request: FastifyRequest,
  flow: Flow,
  deps: FlowHttpDependencies,
): boolean {
  const cookie = request.cookies?.[deps.csrfCookie.name];
  return cookie !== undefined && flow.csrfToken !== '' && csrfTokensMatch(cookie, flow.csrfToken);
}

/**
 * Checks a flow fetched by `?id=` (login, registration): a browser flow is shown only to the
 * browser that began it — its form holds that browser's CSRF token — and an expired flow
 * answers 410 saying where to begin a new one.
 */
export function checkFetchedFlow(
  kind: 'login' | 'registration',
  flow: Flow,
  request: FastifyRequest,
  deps: FlowHttpDependencies,
): void {
  if (flow.type === 'browser' && !csrfCookieMatchesFlow(request, flow, deps)) {
    throw csrfViolation(request.headers.cookie ? 'csrf_cookie_missing' : 'no_cookie_header');
  }
  if (isExpired(flow, deps.clock.now())) {
    throw fetchedFlowExpired(
      kind,
      flow.type === 'browser'
        ? {
            type: 'browser',
            redirectTo: publicUrl(deps, `self-service/${kind}/browser`).href,
            returnTo: flow.returnTo,
          }
        : { type: 'api', api: publicUrl(deps, `self-service/${kind}/api`).href },
    );
  }
}

/** The `?flow=` of a submit, or Kratos' 400. */
export function flowIdOf(request: FastifyRequest): string {
  const id = queryOf(request).flow;
  if (!id || !UUID.test(id)) throw flowIdMissing();
  return id.toLowerCase();
}

/** The flow of this kind with the id the request names (`?id=` or `?flow=`), or Kratos' 404. */
export async function loadFlow(
  kind: FlowKind,
  id: string | undefined,
  deps: FlowHttpDependencies,
): Promise<Flow> {
  const flow = id && UUID.test(id) ? await deps.flows.get(kind, id.toLowerCase()) : undefined;
  if (!flow) throw flowNotFound();
  return flow;
}

/**
 * The return_to a new flow records: the requested one when the allow-list permits it (checked
 * when the flow starts and again when it ends — no open redirect), '' when none was asked for.
 */
export function checkedReturnTo(requested: string | undefined, deps: FlowHttpDependencies): string {
  if (!requested) return '';
  const checked = secureReturnTo({
    requested,
    defaultReturnUrl: deps.config.defaultBrowserReturnUrl,
    allowed: deps.allowedReturnUrls,
    publicBaseUrl: deps.publicBaseUrl.href,
  });
  if (checked instanceof HttpError) throw checked;
  return requested;
}

/** Where a finished flow sends the browser: its return_to, checked again, or the default. */
export function finalReturnTo(flow: Flow, deps: FlowHttpDependencies, fallback?: string): string {
  const checked = secureReturnTo({
    requested: flow.returnTo || undefined,
    requestUrl: flow.requestUrl,
    defaultReturnUrl: fallback ?? deps.config.defaultBrowserReturnUrl,
    allowed: deps.allowedReturnUrls,
    publicBaseUrl: deps.publicBaseUrl.href,
  });
  if (checked instanceof HttpError) throw checked;
  return checked;
}

/** `<ui_url>?flow=<id>`, keeping a query the UI URL already has. */
export function uiUrlFor(uiUrl: string, flowId: string): string {
  const url = new URL(uiUrl);
  url.searchParams.set('flow', flowId);
  return url.href;
}

/** What a new flow takes from the request that begins it. */
export interface FlowStart {
  type: FlowType;
  requestUrl: string;
  returnTo: string;
  /** The browser's CSRF token ('' for API flows). */
  csrfToken: string;
}

/**
 * A new flow of `kind`: issued now, expiring after the kind's `lifespan`, its ui stored as JSON.
 * Each kind builds its form and says its first state and data.
 */
export function startedFlow(
  kind: FlowKind,
  fields: FlowStart & {
    id: string;
    state: string;
    ui: UiContainer;
    data: Record<string, unknown>;
    identityId?: string;
  },
  deps: FlowHttpDependencies,
): Flow {
  const now = deps.clock.now();
  return {
    id: fields.id,
    kind,
    type: fields.type,
    state: fields.state,
    requestUrl: fields.requestUrl,
    returnTo: fields.returnTo,
    csrfToken: fields.csrfToken,
    ...(fields.identityId ? { identityId: fields.identityId } : {}),
    ui: fields.ui.toJSON() as unknown as Record<string, unknown>,
    data: fields.data,
    issuedAt: now,
    expiresAt: new Date(now.getTime() + deps.config.flows[kind].lifespanMs),
    createdAt: now,
    updatedAt: now,
  };
}

/** The flow's ui container, as stored. */
export function uiOf(flow: Flow): UiContainer {
  return UiContainer.fromJSON(flow.ui);
}

/**
 * The ui as a client sees it: for a browser flow the CSRF node carries the flow's token masked
 * afresh on every render (the bytes on the page never repeat); API flows carry an empty one.
 */
export function renderUi(flow: Flow, deps: FlowHttpDependencies): Record<string, unknown> {
  const ui = uiOf(flow);
  if (ui.findNode('csrf_token')) {
    ui.setNode(csrfTokenNode(flow.type === 'browser' ? maskCsrfToken(flow.csrfToken, deps.random) : ''));
  }
  return ui.toJSON() as unknown as Record<string, unknown>;
}

/** The submitted form or JSON body as an object (Kratos reads both, with dotted keys for forms). */
export function bodyOf(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
  return {};
}

/** Reads `traits.email=x` style form keys into nested objects (`{traits: {email: x}}`). */
export function nestDottedKeys(body: Record<string, unknown>): Record<string, unknown> {
  const nested: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const parts = key.split('.');
    let target = nested;
    for (const part of parts.slice(0, -1)) {
      const next = target[part];
      if (!next || typeof next !== 'object' || Array.isArray(next)) target[part] = {};
      target = target[part] as Record<string, unknown>;
    }
    target[parts.at(-1)!] = Array.isArray(value) ? value[0] : value;
  }
  return nested;
}

import { parseDuration } from '../config/duration.js';
import { getPath, type JsonObject } from '../config/object-path.js';
import type { FlowKind } from './flow/flow.js';

export interface FlowConfig {
  enabled: boolean;
  /** Where browsers are sent to render the flow (`?flow=<id>` is appended). */
  uiUrl: string;
  lifespanMs: number;
}

/** `selfservice.*`: the flows' UI URLs and lifespans, return URLs, and what runs after each flow. */
export interface SelfserviceConfig {
  defaultBrowserReturnUrl: string;
  allowedReturnUrls: string[];
  flows: Record<FlowKind, FlowConfig>;
  errorUiUrl: string;
  registrationStyle: 'profile_first' | 'unified';
  privilegedSessionMaxAgeMs: number;
  logoutDefaultReturnUrl: string;
  passwordEnabled: boolean;
  /** The hooks after a password registration (`session` issues a session at once). */
  registrationPasswordHooks: string[];
}

const KINDS: FlowKind[] = ['login', 'registration', 'settings', 'recovery', 'verification'];

/**
 * Reads the self-service part of a loaded Kratos config. The loader has already filled in the
 * schema's defaults (lifespans 1h, Ory's fallback UI URLs), so only the keys whose default
 * depends on another key are decided here.
 */
export function readSelfserviceConfig(document: JsonObject): SelfserviceConfig {
  const at = (...path: string[]) => getPath(document, ['selfservice', ...path]);
  const defaultBrowserReturnUrl = String(at('default_browser_return_url') ?? '');
  const flows = Object.fromEntries(
    KINDS.map((kind) => [
      kind,
      {
        // Login and settings cannot be switched off; the others have `enabled`.
        enabled: (at('flows', kind, 'enabled') as boolean | undefined) ?? true,
        uiUrl: String(at('flows', kind, 'ui_url') ?? ''),
        lifespanMs: parseDuration(String(at('flows', kind, 'lifespan') ?? '1h')),
      },
    ]),
  ) as Record<FlowKind, FlowConfig>;
  const hooks = (at('flows', 'registration', 'after', 'password', 'hooks') ?? []) as { hook?: string }[];
  return {
    defaultBrowserReturnUrl,
    allowedReturnUrls: ((at('allowed_return_urls') ?? []) as unknown[]).map(String),
    flows,
    errorUiUrl: String(at('flows', 'error', 'ui_url') ?? ''),
    registrationStyle: at('flows', 'registration', 'style') === 'unified' ? 'unified' : 'profile_first',
    privilegedSessionMaxAgeMs: parseDuration(
      String(at('flows', 'settings', 'privileged_session_max_age') ?? '1h'),
    ),
    logoutDefaultReturnUrl: String(
      at('flows', 'logout', 'after', 'default_browser_return_url') ?? defaultBrowserReturnUrl,
    ),
    passwordEnabled: (at('methods', 'password', 'enabled') as boolean | undefined) ?? true,
    registrationPasswordHooks: hooks.map((entry) => String(entry.hook ?? '')),
  };
}

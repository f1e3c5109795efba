import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadIdentityConfig } from '../../src/config/identity-config.js';
import { readSelfserviceConfig } from '../../src/selfservice/selfservice-config.js';
import { minimalIdentityYaml, PORTAL, writeConfig } from '../config/config-fixtures.js';

describe('the self-service config', () => {
  it('reads the portal’s v0.5 sample: its UI URLs, 10m lifespans and the session hook', () => {
    const config = loadIdentityConfig({ files: [join(PORTAL, 'kratos.yml.sample')], env: {}, dev: true });
    const selfservice = readSelfserviceConfig(config.document);
    expect(selfservice.defaultBrowserReturnUrl).toBe('http://127.0.0.1/');
    expect(selfservice.allowedReturnUrls).toEqual(['http://127.0.0.1/']);
    expect(selfservice.flows.login).toEqual({
      enabled: true,
      uiUrl: 'http://127.0.0.1/auth/login',
      lifespanMs: 10 * 60_000,
    });
    expect(selfservice.flows.registration.lifespanMs).toBe(10 * 60_000);
    expect(selfservice.flows.registration.uiUrl).toBe('http://127.0.0.1/auth/registration');
    expect(selfservice.flows.settings.uiUrl).toBe('http://127.0.0.1/settings');
    expect(selfservice.flows.recovery.enabled).toBe(true);
    expect(selfservice.errorUiUrl).toBe('http://127.0.0.1/error');
    expect(selfservice.privilegedSessionMaxAgeMs).toBe(15 * 60_000);
    expect(selfservice.logoutDefaultReturnUrl).toBe('http://127.0.0.1/auth/login');
    expect(selfservice.registrationPasswordHooks).toEqual(['session']);
    expect(selfservice.passwordEnabled).toBe(true);
  });

  it('falls back to the schema’s defaults: 1h lifespans, Ory’s fallback pages, profile_first', () => {
    const file = writeConfig('selfservice-defaults.yml', minimalIdentityYaml());
    const selfservice = readSelfserviceConfig(
      loadIdentityConfig({ files: [file], env: {}, dev: true }).document,
    );
    expect(selfservice.flows.settings.lifespanMs).toBe(3_600_000);
    expect(selfservice.flows.login.uiUrl).toMatch(
      /^https:\/\/www\.ory\.(sh|com)\/kratos\/docs\/fallback\/login$/,
    );
    expect(selfservice.flows.verification.enabled).toBe(false);
    expect(selfservice.registrationStyle).toBe('profile_first');
    expect(selfservice.privilegedSessionMaxAgeMs).toBe(3_600_000);
    expect(selfservice.logoutDefaultReturnUrl).toBe('http://127.0.0.1/');
    expect(selfservice.registrationPasswordHooks).toEqual([]);
  });
});

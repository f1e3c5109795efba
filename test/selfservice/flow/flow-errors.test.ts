import { describe, expect, it } from 'vitest';
import {
  browserLocationChangeRequired,
  fetchedFlowExpired,
  flowDisabled,
  flowExpired,
  flowIdMissing,
  flowNotFound,
  sessionAlreadyAvailable,
} from '../../../src/selfservice/flow/flow-errors.js';

describe('self-service flow errors, as Kratos renders them', () => {
  it('an expired submit: 410 with the replacement flow, the expiry and `since` in nanoseconds', () => {
    const expiredAt = new Date('2026-12-04T10:00:00.000Z');
    const now = new Date('2026-12-04T10:01:30.000Z');
    expect(flowExpired(expiredAt, now, 'c0ffee00-0000-4000-8000-000000000001').toJSON('req-1')).toEqual({
      error: {
        id: 'self_service_flow_expired',
        code: 410,
        status: 'Gone',
        request: 'req-1',
        reason: 'The self-service flow expired 1.50 minutes ago, initialize a new one.',
        message: 'self-service flow expired',
      },
      expired_at: '2026-12-04T10:00:00.000Z',
      since: 90_000_000_000,
      use_flow_id: 'c0ffee00-0000-4000-8000-000000000001',
    });
  });

  it('an expired fetch: 410 saying where to start again, for browsers and for apps', () => {
    const browser = fetchedFlowExpired('login', {
      type: 'browser',
      redirectTo: 'http://127.0.0.1:4433/self-service/login/browser?return_to=http://127.0.0.1/x',
      returnTo: 'http://127.0.0.1/x',
    }).toJSON();
    expect(browser.error).toMatchObject({
      code: 410,
      id: 'self_service_flow_expired',
      details: {
        redirect_to: expect.stringContaining('/self-service/login/browser'),
        return_to: 'http://127.0.0.1/x',
      },
    });
    const api = fetchedFlowExpired('registration', {
      type: 'api',
      api: 'http://127.0.0.1:4433/self-service/registration/api',
    });
    expect(api.toJSON().error).toMatchObject({
      reason: expect.stringContaining('Call the registration flow init API endpoint'),
      details: { api: 'http://127.0.0.1:4433/self-service/registration/api' },
    });
  });

  it('a browser that must leave the page: 422 with redirect_browser_to beside the error', () => {
    expect(browserLocationChangeRequired('http://127.0.0.1/settings?flow=1').toJSON()).toEqual({
      error: {
        id: 'browser_location_change_required',
        code: 422,
        status: 'Unprocessable Entity',
        reason:
          'In order to complete this flow please redirect the browser to: http://127.0.0.1/settings?flow=1',
        message: 'browser location change required',
      },
      redirect_browser_to: 'http://127.0.0.1/settings?flow=1',
    });
  });

  it('signed in already, a missing flow parameter, an unknown flow', () => {
    expect(sessionAlreadyAvailable('login').toJSON().error).toMatchObject({
      id: 'session_already_available',
      code: 400,
      reason: expect.stringContaining('?refresh=true'),
    });
    expect(
      (sessionAlreadyAvailable('registration').toJSON().error as { reason: string }).reason,
    ).not.toContain('refresh');
    expect(flowIdMissing().toJSON().error).toMatchObject({
      code: 400,
      reason: 'The flow query parameter is missing or malformed.',
    });
    expect(flowDisabled('registration').toJSON().error).toMatchObject({
      id: 'self_service_flow_disabled',
      message: 'registration flow disabled',
      reason: 'Registration is not allowed because it was disabled.',
    });
    expect(flowNotFound().toJSON()).toEqual({
      error: { code: 404, status: 'Not Found', message: 'Unable to locate the resource' },
    });
  });
});

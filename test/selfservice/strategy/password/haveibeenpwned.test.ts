import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../../../src/clock.js';
import { HttpError } from '../../../../src/http/http-error.js';
import {
  HaveIBeenPwned,
  type HaveIBeenPwnedOptions,
} from '../../../../src/selfservice/strategy/password/haveibeenpwned.js';
import {
  PasswordPolicy,
  type PasswordPolicyConfig,
} from '../../../../src/selfservice/strategy/password/password-policy.js';

const TLS = new URL('../../../fixtures/tls/', import.meta.url);
const cert = readFileSync(new URL('localhost.crt', TLS));
const key = readFileSync(new URL('localhost.key', TLS));

/** What the range server answers next; 'hang' accepts the request and never answers. */
type Answer = { status?: number; body?: string; headers?: Record<string, string> } | 'hang';

interface RangeServer {
  host: string;
  requests: { url: string; method: string; headers: IncomingHttpHeaders; raw: string }[];
  /** Called for every request; by default answers 200 with `ranges[prefix]` (or nothing). */
  answer: (prefix: string) => Answer;
  ranges: Record<string, string>;
}

function upperSha1(password: string): string {
  return createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();
}

function randomSuffix(): string {
  return randomBytes(18).toString('hex').toUpperCase().slice(0, 35);
}

/** A range answer listing the password's hash with `count`, between two other hashes. */
function rangeWith(password: string, count: string | number): string {
  return `${randomSuffix()}:12\r\n${upperSha1(password).slice(5)}:${count}\r\n${randomSuffix()}:3\r\n`;
}

const state: RangeServer = {
  host: '',
  requests: [],
  answer: () => ({}),
  ranges: {},
};
let server: Server;
let agent: Agent;

function defaultAnswer(prefix: string): Answer {
  return { body: state.ranges[prefix] ?? '' };
}

beforeAll(async () => {
  server = createServer({ cert, key }, (request: IncomingMessage, response: ServerResponse) => {
    const prefix = /^\/range\/([0-9A-F]{5})$/.exec(request.url ?? '')?.[1] ?? '';
    state.requests.push({
      url: request.url ?? '',
      method: request.method ?? '',
      headers: request.headers,
      raw: `${request.method} ${request.url}\n${request.rawHeaders.join('\n')}`,
    });
    const answer = state.answer(prefix);
    if (answer === 'hang') return;
    response.writeHead(answer.status ?? 200, { 'content-type': 'text/plain', ...answer.headers });
    response.end(answer.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  agent = new Agent({ connect: { ca: cert } });
});

afterAll(async () => {
  await agent.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  state.requests = [];
  state.ranges = {};
  state.answer = defaultAnswer;
});

afterEach(() => {
  // Requests left hanging by a test must not hold the server open.
  server.closeAllConnections();
});

interface Setup {
  config?: Partial<PasswordPolicyConfig>;
  client?: Partial<HaveIBeenPwnedOptions>;
}

function setup({ config = {}, client = {} }: Setup = {}) {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const clock: Clock = { now: () => new Date(now) };
  const full: PasswordPolicyConfig = {
    haveIBeenPwnedEnabled: true,
    haveIBeenPwnedHost: state.host,
    maxBreaches: 0,
    ignoreNetworkErrors: true,
    minPasswordLength: 8,
    identifierSimilarityCheckEnabled: true,
    ...config,
  };
  const pwnedPasswords = new HaveIBeenPwned({
    host: full.haveIBeenPwnedHost,
    dispatcher: agent,
    clock,
    retryWaitMinMs: 1,
    ...client,
  });
  return {
    policy: new PasswordPolicy({ config: full, pwnedPasswords }),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

function breached(breaches: number) {
  return {
    id: 4000034,
    text: 'The password has been found in data breaches and must no longer be used.',
    type: 'error',
    context: { breaches },
  };
}

const NETWORK_ERROR = {
  code: 502,
  id: 'upstream_error',
  message: 'Leaked password server unavailable',
  reason: 'Unable to check if password has been leaked because an unexpected network error occurred',
};

const UNEXPECTED_STATUS = {
  code: 502,
  id: 'upstream_error',
  message: 'Leaked password server unavailable',
  reason: 'Unexpected status code from haveibeenpwned.com',
};

async function closedPortHost(): Promise<string> {
  const probe = createServer({ cert, key });
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return `127.0.0.1:${port}`;
}

describe('the haveibeenpwned range check', () => {
  it('asks only for the first five hex digits of the upper-case SHA-1, never the password or the rest', async () => {
    // SHA-1("password") = 5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8, the API's own example.
    state.ranges['5BAA6'] = '1E4C9B93F3F0682250B6CF8331B7EE68FD8:9659365\r\n';
    const { policy } = setup();
    await policy.check(['someone@example.com'], 'password');
    expect(state.requests).toHaveLength(1);
    const [sent] = state.requests;
    expect(sent!.method).toBe('GET');
    expect(sent!.url).toBe('/range/5BAA6');
    expect(sent!.raw).not.toContain('password');
    expect(sent!.raw.toUpperCase()).not.toContain('1E4C9B93F3F0682250B6CF8331B7EE68FD8');
  });

  it('sends a User-Agent and, like Kratos, no Add-Padding header', async () => {
    const { policy } = setup();
    await policy.check([''], 'l3f9toh1uaf81n21');
    expect(state.requests[0]!.headers['user-agent']).toBe('gatehouse');
    expect(state.requests[0]!.headers).not.toHaveProperty('add-padding');
  });

  it('refuses a password seen more often than max_breaches with 4000034 and the count', async () => {
    const password = 'correct horse battery';
    state.ranges[upperSha1(password).slice(0, 5)] = rangeWith(password, 6);
    const { policy } = setup({ config: { maxBreaches: 5 } });
    expect(await policy.check([''], password)).toEqual(breached(6));
  });

  it('lets through a password seen max_breaches times or fewer', async () => {
    const password = 'correct horse battery';
    state.ranges[upperSha1(password).slice(0, 5)] = rangeWith(password, 5);
    const { policy } = setup({ config: { maxBreaches: 5 } });
    expect(await policy.check([''], password)).toBe(undefined);
  });

  it('with max_breaches 0 refuses a password seen even once', async () => {
    const password = 'seen once only';
    state.ranges[upperSha1(password).slice(0, 5)] = rangeWith(password, 1);
    const { policy } = setup({ config: { maxBreaches: 0 } });
    expect(await policy.check([''], password)).toEqual(breached(1));
  });

  it('lets through a password whose hash is not in its range, even with max_breaches 0', async () => {
    const password = 'l3f9toh1uaf81n21';
    state.ranges[upperSha1(password).slice(0, 5)] = `${randomSuffix()}:57\r\n${randomSuffix()}:2\r\n`;
    const { policy } = setup();
    expect(await policy.check([''], password)).toBe(undefined);
    expect(state.requests).toHaveLength(1);
  });

  it('reads "1,234" as 1234 and a line without a count as one breach, as Kratos does', async () => {
    const withCommas = 'counted with commas';
    const withoutCount = 'listed without count';
    state.ranges[upperSha1(withCommas).slice(0, 5)] = rangeWith(withCommas, '1,234');
    state.ranges[upperSha1(withoutCount).slice(0, 5)] = `${upperSha1(withoutCount).slice(5)}\n`;
    const { policy } = setup({ config: { maxBreaches: 1000 } });
    expect(await policy.check([''], withCommas)).toEqual(breached(1234));
    expect(await setup().policy.check([''], withoutCount)).toEqual(breached(1));
  });

  it('answers from its cache for an hour, then asks again', async () => {
    const password = 'correct horse battery';
    state.ranges[upperSha1(password).slice(0, 5)] = rangeWith(password, 3);
    const { policy, advance } = setup();
    expect(await policy.check([''], password)).toEqual(breached(3));
    advance(60 * 60 * 1000 - 1);
    expect(await policy.check([''], password)).toEqual(breached(3));
    expect(state.requests).toHaveLength(1);
    advance(1);
    expect(await policy.check([''], password)).toEqual(breached(3));
    expect(state.requests).toHaveLength(2);
  });

  it('does not ask at all when haveibeenpwned_enabled is false', async () => {
    const { policy } = setup({ config: { haveIBeenPwnedEnabled: false } });
    expect(await policy.check(['mohutdesub'], 'damrumukuh')).toBe(undefined);
    expect(state.requests).toHaveLength(0);
  });

  it('reports a breach before the likeness to a later identifier, checking identifier by identifier', async () => {
    const password = 'password';
    state.ranges['5BAA6'] = rangeWith(password, 10);
    const { policy } = setup();
    expect(await policy.check(['someone@example.com', 'password1'], password)).toEqual(breached(10));
    // Once the breach check passes, the second identifier's likeness counts.
    const lenient = setup({ config: { maxBreaches: 100 } });
    expect(await lenient.policy.check(['someone@example.com', 'password1'], password)).toMatchObject({
      id: 4000031,
    });
  });

  describe('when the range server is down', () => {
    it('lets the password through with ignore_network_errors', async () => {
      const { policy } = setup({ config: { haveIBeenPwnedHost: await closedPortHost() } });
      expect(await policy.check([''], 'l3f9toh1uaf81n21')).toBe(undefined);
    });

    it('answers 502 upstream_error without ignore_network_errors', async () => {
      const { policy } = setup({
        config: { haveIBeenPwnedHost: await closedPortHost(), ignoreNetworkErrors: false },
      });
      const failure = policy.check([''], 'l3f9toh1uaf81n21');
      await expect(failure).rejects.toBeInstanceOf(HttpError);
      await expect(failure).rejects.toMatchObject(NETWORK_ERROR);
    });

    it('gives up on an attempt that gets no complete answer before the deadline', async () => {
      state.answer = () => 'hang';
      // An agent of its own: the aborted connection must not linger into other tests.
      const own = new Agent({ connect: { ca: cert } });
      try {
        const { policy } = setup({
          config: { ignoreNetworkErrors: false },
          client: { timeoutMs: 100, retries: 0, dispatcher: own },
        });
        await expect(policy.check([''], 'l3f9toh1uaf81n21')).rejects.toMatchObject(NETWORK_ERROR);
        expect(state.requests).toHaveLength(1);
      } finally {
        await own.destroy();
      }
    });

    it('does not retry when the server’s certificate is not trusted', async () => {
      // A server of its own, so that no connection of another test is counted.
      const stranger = createServer({ cert, key }, (_request, response) => response.end());
      let connections = 0;
      stranger.on('connection', () => connections++);
      await new Promise<void>((resolve) => stranger.listen(0, '127.0.0.1', resolve));
      const host = `127.0.0.1:${(stranger.address() as AddressInfo).port}`;
      const untrusting = new Agent();
      try {
        const policy = new PasswordPolicy({
          config: {
            haveIBeenPwnedEnabled: true,
            haveIBeenPwnedHost: host,
            maxBreaches: 0,
            ignoreNetworkErrors: false,
            minPasswordLength: 8,
            identifierSimilarityCheckEnabled: true,
          },
          pwnedPasswords: new HaveIBeenPwned({
            host,
            dispatcher: untrusting,
            clock: { now: () => new Date() },
            retryWaitMinMs: 1,
          }),
        });
        await expect(policy.check([''], 'l3f9toh1uaf81n21')).rejects.toMatchObject(NETWORK_ERROR);
        expect(connections).toBe(1);
      } finally {
        await untrusting.close();
        stranger.closeAllConnections();
        await new Promise((resolve) => stranger.close(resolve));
      }
    });
  });

  describe('when the range server answers something other than 200', () => {
    it('lets the password through with ignore_network_errors, and asks again next time', async () => {
      state.answer = () => ({ status: 404 });
      const { policy } = setup();
      expect(await policy.check([''], 'l3f9toh1uaf81n21')).toBe(undefined);
      expect(await policy.check([''], 'l3f9toh1uaf81n21')).toBe(undefined);
      expect(state.requests).toHaveLength(2);
    });

    it('answers 502 "Unexpected status code" without ignore_network_errors, after a single request', async () => {
      state.answer = () => ({ status: 403 });
      const { policy } = setup({ config: { ignoreNetworkErrors: false } });
      await expect(policy.check([''], 'l3f9toh1uaf81n21')).rejects.toMatchObject(UNEXPECTED_STATUS);
      expect(state.requests).toHaveLength(1);
    });

    it('retries a 503 twice, then fails as a network error', async () => {
      state.answer = () => ({ status: 503 });
      const { policy } = setup({ config: { ignoreNetworkErrors: false } });
      await expect(policy.check([''], 'l3f9toh1uaf81n21')).rejects.toMatchObject(NETWORK_ERROR);
      expect(state.requests).toHaveLength(3);
    });

    it('uses the answer of a retry that succeeds', async () => {
      const password = 'correct horse battery';
      let calls = 0;
      state.answer = (prefix) => {
        calls++;
        if (calls === 1) return { status: 429, headers: { 'retry-after': '0' } };
        if (calls === 2) return { status: 500 };
        return { body: prefix === upperSha1(password).slice(0, 5) ? rangeWith(password, 2) : '' };
      };
      const { policy } = setup({ config: { ignoreNetworkErrors: false } });
      expect(await policy.check([''], password)).toEqual(breached(2));
      expect(state.requests).toHaveLength(3);
    });
  });

  describe('when the range answer is malformed', () => {
    it('answers 502 for a count that is not an integer, even with ignore_network_errors', async () => {
      const password = 'correct horse battery';
      state.ranges[upperSha1(password).slice(0, 5)] = `${randomSuffix()}:text\n${rangeWith(password, 2)}`;
      const { policy } = setup({ config: { ignoreNetworkErrors: true } });
      await expect(policy.check([''], password)).rejects.toMatchObject({
        code: 502,
        id: 'upstream_error',
        message: 'Upstream error',
        reason: 'Expected password hash to contain a count formatted as int but got: text',
      });
    });

    it('treats an answer of more than 1 MiB as a network error', async () => {
      state.answer = () => ({ body: `${randomSuffix()}:1\n`.repeat(30_000) });
      const { policy } = setup({ config: { ignoreNetworkErrors: false } });
      await expect(policy.check([''], 'l3f9toh1uaf81n21')).rejects.toMatchObject(NETWORK_ERROR);
    });
  });

  it('refuses with 4000005 when haveibeenpwned_host cannot form a URL, sending nothing', async () => {
    const { policy } = setup({ config: { haveIBeenPwnedHost: 'not a host' } });
    const reason = 'the haveibeenpwned_host "not a host" does not form a valid URL';
    expect(await policy.check([''], 'l3f9toh1uaf81n21')).toEqual({
      id: 4000005,
      text: `The password can not be used because ${reason}.`,
      type: 'error',
      context: { reason },
    });
    expect(state.requests).toHaveLength(0);
  });
});

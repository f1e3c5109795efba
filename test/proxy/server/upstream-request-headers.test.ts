import { describe, expect, it } from 'vitest';
import {
  pipelineHeaders,
  upstreamRequestHeaders,
} from '../../../src/proxy/server/upstream-request-headers.js';

const pairs = (flat: string[]) =>
  flat.flatMap((_, index) => (index % 2 === 0 ? [[flat[index], flat[index + 1]]] : []));

describe('the headers the proxy sends upstream', () => {
  const base = { trustForwardedHeaders: false, session: {}, host: 'upstream:8080' };

  it("keeps the client's lines in order and spelling, and replaces Host", () => {
    expect(
      pairs(upstreamRequestHeaders(['Host', 'app.test', 'Accept', '*/*', 'x-a', '1', 'X-A', '2'], base)),
    ).toEqual([
      ['Accept', '*/*'],
      ['x-a', '1'],
      ['X-A', '2'],
      ['Host', 'upstream:8080'],
    ]);
  });

  it('drops every X-Forwarded-* and Forwarded line when forwarded headers are not trusted', () => {
    const raw = [
      'X-Forwarded-For',
      '1.2.3.4',
      'X-Forwarded-Port',
      '443',
      'Forwarded',
      'for=x',
      'X-Real',
      'y',
    ];
    expect(pairs(upstreamRequestHeaders(raw, base))).toEqual([
      ['X-Real', 'y'],
      ['Host', 'upstream:8080'],
    ]);
  });

  it('passes trusted ones on: Host, Proto and For with their first line only, others whole; never Forwarded', () => {
    const raw = [
      'X-Forwarded-For',
      '1.1.1.1, 2.2.2.2',
      'X-Forwarded-For',
      '3.3.3.3',
      'X-Forwarded-Proto',
      '',
      'X-Forwarded-Port',
      '443',
      'X-Forwarded-Port',
      '8443',
      'Forwarded',
      'for=x',
    ];
    expect(pairs(upstreamRequestHeaders(raw, { ...base, trustForwardedHeaders: true }))).toEqual([
      ['X-Forwarded-For', '1.1.1.1, 2.2.2.2'],
      ['X-Forwarded-Port', '443'],
      ['X-Forwarded-Port', '8443'],
      ['Host', 'upstream:8080'],
    ]);
  });

  it("sets session headers over the client's, first value only, and ignores message headers among them", () => {
    const session = {
      'X-User': ['guest', 'other'],
      Authorization: ['Bearer t'],
      'Content-Length': ['999'],
      Connection: ['close'],
      'Transfer-Encoding': ['chunked'],
      Host: ['evil.test'],
    };
    const raw = ['x-user', 'admin', 'Authorization', 'Basic x', 'Content-Length', '5'];
    expect(pairs(upstreamRequestHeaders(raw, { ...base, session }))).toEqual([
      ['Content-Length', '5'],
      ['X-User', 'guest'],
      ['Authorization', 'Bearer t'],
      ['Host', 'upstream:8080'],
    ]);
  });

  it('re-arms Connection and Upgrade for a tunnelled upgrade, after removing the hop-by-hop lines', () => {
    const raw = ['Connection', 'Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k'];
    expect(pairs(upstreamRequestHeaders(raw, { ...base, upgrade: 'websocket' }))).toEqual([
      ['Sec-WebSocket-Key', 'k'],
      ['Host', 'upstream:8080'],
      ['Connection', 'Upgrade'],
      ['Upgrade', 'websocket'],
    ]);
  });
});

describe('the headers the pipeline sees', () => {
  it('are the request headers without forwarding claims unless trusted, and never Forwarded', () => {
    const headers = { host: 'a', 'x-forwarded-host': 'evil', forwarded: 'for=x', 'x-other': '1' };
    expect(pipelineHeaders(headers, false)).toEqual({ host: 'a', 'x-other': '1' });
    expect(pipelineHeaders(headers, true)).toEqual({ host: 'a', 'x-forwarded-host': 'evil', 'x-other': '1' });
    // Nothing to remove: the request's own object, not a copy.
    const plain = { host: 'a' };
    expect(pipelineHeaders(plain, false)).toBe(plain);
  });
});

import { describe, expect, it } from 'vitest';
import { newRequestId, requestIdFrom } from '../../src/http/request-id.js';

const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request ids', () => {
  it('are UUIDs in form (version 8, RFC variant) and never repeat', () => {
    const ids = Array.from({ length: 10_000 }, () => newRequestId());
    for (const id of ids.slice(0, 100)) expect(id).toMatch(UUID_V8);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keep a plain id the client sent', () => {
    expect(requestIdFrom('req-42')).toBe('req-42');
    expect(requestIdFrom(['edge:7f/a+b=', 'second'])).toBe('edge:7f/a+b=');
  });

  it('replace an id that could forge log lines, or is too long, with a new one', () => {
    for (const sent of ['a b', 'x\nlevel=error', 'x'.repeat(129), '', undefined]) {
      expect(requestIdFrom(sent)).toMatch(UUID_V8);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { parseByteSize } from '../../src/config/byte-size.js';
import { parseDuration } from '../../src/config/duration.js';

describe('Go durations', () => {
  it('reads single and combined units into milliseconds', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('720h')).toBe(2_592_000_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('0')).toBe(0);
  });

  it('refuses a number without a unit and unknown units', () => {
    expect(() => parseDuration('30')).toThrow(/invalid duration "30"/);
    expect(() => parseDuration('2d')).toThrow(/invalid duration "2d"/);
    expect(() => parseDuration('')).toThrow(/invalid duration/);
  });
});

describe('byte sizes', () => {
  it('counts KB as 1024 bytes, as Ory does', () => {
    expect(parseByteSize('131072KB')).toBe(128 * 1024 * 1024);
    expect(parseByteSize('128MB')).toBe(128 * 1024 * 1024);
    expect(parseByteSize('1GB')).toBe(1024 ** 3);
  });

  it('refuses a size without a unit', () => {
    expect(() => parseByteSize('131072')).toThrow(/invalid size/);
  });
});

/**
 * A key set that cannot be used. The message names the key (by kid or position) and the problem,
 * and never contains key material: parse errors are reported by position only.
 */
export class KeySetError extends Error {
  override name = 'KeySetError';
}

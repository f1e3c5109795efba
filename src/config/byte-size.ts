/**
 * Bytes in a size such as `128MB` or `131072KB`. Ory's byte sizes are binary: KB is 1024 bytes,
 * MB 1024 KB, and so on.
 */
const UNITS: Record<string, number> = {
  B: 1,
  KB: 1024,
  MB: 1024 ** 2,
  GB: 1024 ** 3,
  TB: 1024 ** 4,
  PB: 1024 ** 5,
  EB: 1024 ** 6,
};

export function parseByteSize(text: string): number {
  const match = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(B|KB|MB|GB|TB|PB|EB)\s*$/i.exec(text);
  if (!match)
    throw new Error(`invalid size "${text}": use a number and a unit (B, KB, MB, GB), e.g. "128MB"`);
  return Math.round(Number(match[1]) * UNITS[match[2]!.toUpperCase()]!);
}

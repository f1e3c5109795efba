const STANDARD_ALPHABET = /^[A-Za-z0-9+/]*$/;

/**
 * Decodes standard base64 without padding, strictly: Node's decoder skips bad characters and
 * ignores stray bits, while Go's strict decoder (which Kratos uses) rejects both.
 */
export function decodeUnpaddedBase64(text: string): Buffer | null {
  if (!STANDARD_ALPHABET.test(text) || text.length % 4 === 1) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64').replace(/=+$/, '') === text ? bytes : null;
}

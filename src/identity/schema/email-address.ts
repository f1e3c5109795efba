/**
 * The `email` format as Kratos checks it (ory/jsonschema formats.go): at most 254 bytes, a local
 * part of at most 64 bytes, a host name after the last `@`, and the whole accepted by Go's
 * net/mail as one address. Unlike ajv-formats' pattern this admits non-ASCII local parts
 * (`дмитрий@example.com`), quoted local parts and single-label domains (`root@localhost`), which
 * Kratos deployments may already store.
 */
export function isEmailAddress(value: string): boolean {
  if (byteLength(value) > 254) return false;
  const at = value.lastIndexOf('@');
  if (at < 0) return false;
  if (byteLength(value.slice(0, at)) > 64) return false;
  if (!isHostname(value.slice(at + 1))) return false;
  return parseMailAddress(value) !== undefined;
}

/**
 * The address Go's `mail.ParseAddress(value).Address` gives for a bare addr-spec (leading and
 * trailing blanks allowed, a quoted local part unquoted), or undefined when it is none. Display
 * names, comments and domain literals are not read: the `email` format never lets them through.
 */
export function parseMailAddress(value: string): string | undefined {
  let rest = value.replace(/^[ \t]+/, '');
  let local: string;
  if (rest.startsWith('"')) {
    const quoted = readQuotedString(rest);
    if (quoted === undefined || quoted.text === '') return undefined;
    local = quoted.text;
    rest = rest.slice(quoted.length);
  } else {
    const atom = readDotAtom(rest);
    if (atom === undefined) return undefined;
    local = atom;
    rest = rest.slice(atom.length);
  }
  if (!rest.startsWith('@')) return undefined;
  rest = rest.slice(1).replace(/^[ \t]+/, '');
  const domain = readDotAtom(rest);
  if (domain === undefined) return undefined;
  if (rest.slice(domain.length).replace(/^[ \t]+/, '') !== '') return undefined;
  return `${local}@${domain}`;
}

/** ory/jsonschema's `hostname` check, quirks included (only the very first label is refused a leading hyphen). */
function isHostname(value: string): boolean {
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  if (name.length > 253) return false;
  if (name.startsWith('-')) return false;
  return name.split('.').every((label) => /^[A-Za-z0-9-]{1,63}$/.test(label) && !label.endsWith('-'));
}

// RFC 5322 specials; every other visible ASCII character and all non-ASCII is atext for Go.
const SPECIALS = new Set(['(', ')', '<', '>', '[', ']', ':', ';', '@', '\\', ',', '"']);

function isVisible(char: string): boolean {
  const code = char.codePointAt(0)!;
  if (code >= 0xd800 && code <= 0xdfff) return false; // a lone surrogate is invalid UTF-8 for Go
  return (code >= 0x21 && code <= 0x7e) || code >= 0x80;
}

function readDotAtom(text: string): string | undefined {
  let atom = '';
  for (const char of text) {
    if (char === '.' || (!SPECIALS.has(char) && isVisible(char))) atom += char;
    else break;
  }
  if (atom === '' || atom.startsWith('.') || atom.endsWith('.') || atom.includes('..')) return undefined;
  return atom;
}

function readQuotedString(text: string): { text: string; length: number } | undefined {
  let content = '';
  let escaped = false;
  let index = 1;
  for (const char of text.slice(1)) {
    index += char.length;
    const blank = char === ' ' || char === '\t';
    if (escaped) {
      if (!isVisible(char) && !blank) return undefined;
      content += char;
      escaped = false;
    } else if (char === '"') {
      return { text: content, length: index };
    } else if (char === '\\') {
      escaped = true;
    } else if (isVisible(char) || blank) {
      content += char;
    } else {
      return undefined;
    }
  }
  return undefined;
}

function byteLength(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

import type { Ajv, Format } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { isEmailAddress } from './email-address.js';

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = addFormatsModule.default;

/**
 * Formats Kratos checks (ory/jsonschema formats.go, plus `no-validate` from Kratos'
 * identity/extension_verification.go), with the ajv-formats check that matches each name.
 * Kratos ignores every other format, so gatehouse does too.
 */
const FROM_AJV_FORMATS = [
  'date-time',
  'date',
  'time',
  'hostname',
  'ipv4',
  'ipv6',
  'uri',
  'uri-reference',
  'uri-template',
  'regex',
  'json-pointer',
  'relative-json-pointer',
] as const;
const ALIASES: Record<string, (typeof FROM_AJV_FORMATS)[number]> = {
  'ip-address': 'ipv4',
  iri: 'uri',
  uriref: 'uri-reference',
  'iri-reference': 'uri-reference',
};
export const CHECKED_FORMATS: ReadonlySet<string> = new Set([
  ...FROM_AJV_FORMATS,
  ...Object.keys(ALIASES),
  'email',
  'tel',
  'no-validate',
]);

/** Adds the formats an identity schema can use; call `ignoreFormat` for any other name it uses. */
export function addIdentityFormats(ajv: Ajv): void {
  addFormats(ajv, [...FROM_AJV_FORMATS]);
  for (const [alias, name] of Object.entries(ALIASES)) ajv.addFormat(alias, ajv.formats[name] as Format);
  ajv.addFormat('email', { type: 'string', validate: isEmailAddress });
  ajv.addFormat('tel', { type: 'string', validate: isTelephoneNumber });
  ajv.addFormat('no-validate', true);
}

/** Accepts any value, as Kratos does for format names it does not know. */
export function ignoreFormat(ajv: Ajv, name: string): void {
  ajv.addFormat(name, true);
}

/**
 * A loose `tel` check: an international number, `+` then 7 to 15 digits, with the usual
 * separators. Kratos asks libphonenumber whether the number exists in its country's numbering
 * plan, which this does not do.
 */
export function isTelephoneNumber(value: string): boolean {
  return /^\+[1-9]\d{6,14}$/.test(value.replace(/[\s().-]/g, ''));
}

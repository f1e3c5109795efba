#!/usr/bin/env node
// Derives gatehouse's own copies of the Kratos and Oathkeeper config schemas from the
// upstream reference copies in ../shared/reference. Run it when the reference changes:
//
//   node scripts/derive-config-schemas.mjs [path/to/shared/reference]
//
// What it changes, and why:
// - `ory://logging-config` and `ory://tracing-config` are resolved by Ory's binaries from an
//   embedded registry; here they point at definitions of our own (written from the documented
//   keys, see LOGGING and TRACING below).
// - Keywords that only Ory's tooling reads (`deprecationMessage`, `showEnvVarBlockForObject`)
//   and two upstream typos that no validator honours (`require`, `item`) are removed, and so is
//   `additionalItems` beside a non-tuple `items` (meaningless in draft-07), so that ajv's strict
//   schema mode accepts the result.
// - Every gatehouse addition carries `"x-gatehouse": true` and is listed in docs/configuration.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const reference = resolve(process.argv[2] ?? join(here, '..', '..', 'shared', 'reference'));
const out = join(here, '..', 'src', 'config', 'schemas');

const LOGGING = {
  title: 'Logging',
  description: 'Where and how the process writes its log.',
  type: 'object',
  additionalProperties: false,
  properties: {
    level: {
      type: 'string',
      enum: ['trace', 'debug', 'info', 'warning', 'error', 'fatal', 'panic'],
      default: 'info',
    },
    format: { type: 'string', enum: ['json', 'json_pretty', 'text'], default: 'text' },
    leak_sensitive_values: {
      type: 'boolean',
      default: false,
      description:
        'Logs request headers and query values that are normally redacted. gatehouse never logs configured secrets, even with this on.',
    },
    redaction_text: { type: 'string', description: 'Text written in place of a redacted value.' },
  },
};

const TRACING = {
  title: 'Tracing',
  description:
    'Accepted for compatibility; gatehouse does not export traces yet and logs a warning when a provider is set.',
  type: 'object',
  additionalProperties: false,
  properties: {
    provider: { type: 'string', enum: ['jaeger', 'zipkin', 'datadog', 'elastic-apm', 'instana', 'otel', ''] },
    service_name: { type: 'string' },
    deployment_environment: { type: 'string' },
    providers: { type: 'object' },
  },
};

const SHUTDOWN_TIMEOUT = {
  'x-gatehouse': true,
  title: 'Graceful shutdown timeout',
  description:
    'On SIGTERM or SIGINT the servers stop accepting connections and wait this long for requests in flight before they are cut off. Go duration syntax.',
  type: 'string',
  pattern: '^([0-9]+(ns|us|ms|s|m|h))+$',
  default: '10s',
};

const GO_DURATION = { type: 'string', pattern: '^([0-9]+(ns|us|ms|s|m|h))+$' };

// The id_token mutator's token cache, which Oathkeeper always runs; gatehouse lets it be turned off.
const ID_TOKEN_CACHE = {
  'x-gatehouse': true,
  title: 'Token cache',
  description:
    'Signed tokens are reused for the same subject, claims and signing key until 90% of their lifetime has passed. Set enabled to false to sign a new token for every request.',
  type: 'object',
  additionalProperties: false,
  properties: { enabled: { type: 'boolean', default: true } },
};

// How the proxy talks to upstreams. Oathkeeper uses Go's default transport, whose limits are
// fixed; gatehouse names them so an operator can tighten them.
const PROXY_UPSTREAM = {
  'x-gatehouse': true,
  title: 'Upstream connections',
  description: 'How the proxy connects to the upstreams of its access rules.',
  type: 'object',
  additionalProperties: false,
  properties: {
    dial_timeout: {
      ...GO_DURATION,
      title: 'Dial timeout',
      description: 'How long opening a TCP connection to an upstream may take before the request gets a 504.',
      default: '30s',
    },
    tls_handshake_timeout: {
      ...GO_DURATION,
      title: 'TLS handshake timeout',
      description:
        'How long the TLS handshake with an https upstream may take before the request gets a 504.',
      default: '10s',
    },
    max_connections: {
      title: 'Connections per upstream',
      description:
        'The most connections kept open to one upstream origin; requests beyond them wait for a free connection.',
      type: 'integer',
      minimum: 1,
      default: 1024,
    },
  },
};

const DROPPED_KEYWORDS = new Set(['deprecationMessage', 'showEnvVarBlockForObject', 'require', 'item']);

function clean(node) {
  if (Array.isArray(node)) return node.map(clean);
  if (node === null || typeof node !== 'object') return node;
  const result = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED_KEYWORDS.has(key)) continue;
    if (key === 'additionalItems' && !Array.isArray(node.items)) continue;
    if (key === '$ref' && value === 'ory://logging-config') {
      result.$ref = '#/definitions/gatehouseLogging';
      continue;
    }
    if (key === '$ref' && value === 'ory://tracing-config') {
      result.$ref = '#/definitions/gatehouseTracing';
      continue;
    }
    result[key] = clean(value);
  }
  return result;
}

function derive(name, addServeKeys, addHandlerKeys = () => {}) {
  const upstream = JSON.parse(readFileSync(join(reference, name, 'config.schema.json'), 'utf8'));
  const schema = clean(upstream);
  schema.$id = `urn:gatehouse:config:${name}`;
  schema.definitions = { ...schema.definitions, gatehouseLogging: LOGGING, gatehouseTracing: TRACING };
  addServeKeys(schema.properties.serve);
  addHandlerKeys(schema);
  const target = join(out, `${name}.config.schema.json`);
  writeFileSync(target, `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote ${target}`);
}

derive('kratos', (serve) => {
  serve.properties.shutdown_timeout = SHUTDOWN_TIMEOUT;
});
derive(
  'oathkeeper',
  (serve) => {
    serve.properties.shutdown_timeout = SHUTDOWN_TIMEOUT;
    serve.properties.proxy.properties.upstream = PROXY_UPSTREAM;
  },
  (schema) => {
    schema.definitions.configMutatorsIdToken.properties.cache = ID_TOKEN_CACHE;
  },
);

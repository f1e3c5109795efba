import { readHasherConfig } from '../hash/hasher-config.js';
import { type HashRun, PasswordHasher } from '../hash/password-hasher.js';
import { IdentityManager } from '../identity/identity-manager.js';
import { IdentityRepository } from '../identity/identity-repository.js';
import { type IdentitySchemas, loadIdentitySchemas } from '../identity/schema/identity-schemas.js';
import { readIdentitySchemaSettings } from '../identity/schema/schema-settings.js';
import type { IdentityRegistry } from '../registry.js';
import { FlowRepository } from '../selfservice/flow/flow-repository.js';
import { PasswordLogin } from '../selfservice/strategy/password/password-login.js';
import { readSessionConfig } from '../session/session-config.js';
import { SessionManager } from '../session/session-manager.js';
import { SessionRepository } from '../session/session-repository.js';

/** The identity server's working parts, built once at start-up from its registry. */
export interface IdentityServices {
  schemas: IdentitySchemas;
  hasher: PasswordHasher;
  identities: IdentityRepository;
  identityManager: IdentityManager;
  sessions: SessionRepository;
  sessionManager: SessionManager;
  flows: FlowRepository;
  passwordLogin: PasswordLogin;
  /** Stops the hashing workers. */
  close(): Promise<void>;
}

export interface IdentityServicesOptions {
  /** Sees every finished hash or verification (timings, for probes and benchmarks). */
  onHashRun?: (run: HashRun) => void;
}

/** Loads the identity schemas (a broken one stops the start) and starts the hashing pool. */
export async function createIdentityServices(
  registry: IdentityRegistry,
  cwd: string,
  options: IdentityServicesOptions = {},
): Promise<IdentityServices> {
  const { config, clock, random, db, log } = registry;
  const document = config.document;
  const schemas = await loadIdentitySchemas({ ...readIdentitySchemaSettings(document), cwd, log });
  const hasher = new PasswordHasher({ config: readHasherConfig(document), random, onRun: options.onHashRun });
  const identities = new IdentityRepository(db, random);
  const sessions = new SessionRepository(db);
  const passwordLogin = new PasswordLogin({
    identities,
    hasher,
    // The decoy's password: random, never stored or shown (see PasswordLogin).
    randomPassword: () => random.bytes(32).toString('base64'),
  });
  await passwordLogin.prepare();
  return {
    schemas,
    hasher,
    identities,
    identityManager: new IdentityManager({ repository: identities, schemas, hasher, clock, random }),
    sessions,
    sessionManager: new SessionManager({
      sessions,
      identities,
      clock,
      random,
      config: readSessionConfig(document, config.secrets.cookie, config.dev),
    }),
    flows: new FlowRepository(db),
    passwordLogin,
    close: () => hasher.close(),
  };
}

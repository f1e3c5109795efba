import type { Identity } from '../../../identity/identity.js';
import type { IdentityRepository } from '../../../identity/identity-repository.js';
import { normalizeIdentifier } from '../../../identity/schema/normalize-identifier.js';

/** What the password check needs of the hasher (PasswordHasher, or a counting one in tests). */
export interface PasswordVerifier {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  needsRehash(hash: string): boolean;
}

export type PasswordLoginResult =
  | { ok: true; identity: Identity; credentialId: string; rehash: boolean }
  | { ok: false };

/**
 * Checks an identifier and a password as Kratos' password strategy does, without telling an
 * unknown identifier from a wrong password: both answer `{ ok: false }`, and both cost one
 * verification. For an unknown identifier the password is verified against a hash made once,
 * with the configured algorithm and parameters, of a password nobody knows — so the answer
 * takes as long as a real wrong password would (no account enumeration by timing).
 */
export class PasswordLogin {
  #decoy: Promise<string> | undefined;

  constructor(
    private readonly deps: {
      identities: IdentityRepository;
      hasher: PasswordVerifier;
      /** Bytes for the decoy's password; never stored, never shown. */
      randomPassword: () => string;
    },
  ) {}

  /** Makes the decoy hash ahead of the first login, so that the first unknown identifier is not slower. */
  async prepare(): Promise<void> {
    await this.decoy();
  }

  async verify(identifier: string, password: string): Promise<PasswordLoginResult> {
    const identity = await this.deps.identities.findByCredentialsIdentifier(
      'password',
      normalizeIdentifier(identifier),
    );
    const credential = identity?.credentials.password;
    const hash = credential?.config.hashed_password;
    if (!identity || !credential || typeof hash !== 'string') {
      await this.deps.hasher.verify(password, await this.decoy());
      return { ok: false };
    }
    if (!(await this.deps.hasher.verify(password, hash))) return { ok: false };
    return { ok: true, identity, credentialId: credential.id, rehash: this.deps.hasher.needsRehash(hash) };
  }

  private decoy(): Promise<string> {
    this.#decoy ??= this.deps.hasher.hash(this.deps.randomPassword());
    return this.#decoy;
  }
}

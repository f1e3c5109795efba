import type { FastifyInstance } from 'fastify';
import { Agent, type Dispatcher } from 'undici';
import type { Clock } from '../../../clock.js';
import type { JsonObject } from '../../../config/object-path.js';
import { HaveIBeenPwned } from './haveibeenpwned.js';
import { PasswordPolicy, readPasswordPolicyConfig } from './password-policy.js';

/**
 * The password policy of `selfservice.methods.password.config`, with the breach check when
 * enabled: over `dispatcher` if given (tests), else an Agent of its own, closed with the app.
 */
export function passwordPolicyFromConfig(
  app: FastifyInstance,
  document: JsonObject,
  clock: Clock,
  dispatcher?: Dispatcher,
): PasswordPolicy {
  const config = readPasswordPolicyConfig(document);
  if (!config.haveIBeenPwnedEnabled) return new PasswordPolicy({ config });
  let client = dispatcher;
  if (!client) {
    const agent = new Agent();
    app.addHook('onClose', () => agent.close());
    client = agent;
  }
  return new PasswordPolicy({
    config,
    pwnedPasswords: new HaveIBeenPwned({ host: config.haveIBeenPwnedHost, dispatcher: client, clock }),
  });
}

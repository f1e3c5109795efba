import { anonymous } from './authn/anonymous.js';
import { bearerToken } from './authn/bearer-token.js';
import { cookieSession } from './authn/cookie-session.js';
import { jwt } from './authn/jwt.js';
import { noop as noopAuthenticator } from './authn/noop.js';
import { unauthorized } from './authn/unauthorized.js';
import { allow } from './authz/allow.js';
import { deny } from './authz/deny.js';
import { json } from './errors/json.js';
import { redirect } from './errors/redirect.js';
import { wwwAuthenticate } from './errors/www-authenticate.js';
import { type HandlerRegistry, registry } from './handler.js';
import { header } from './mutate/header.js';
import { idToken } from './mutate/id-token.js';
import { noop as noopMutator } from './mutate/noop.js';

/** The handlers gatehouse has, by kind: the only place that lists them. */
export function defaultHandlers(): HandlerRegistry {
  return {
    authenticators: registry([noopAuthenticator, anonymous, unauthorized, cookieSession, bearerToken, jwt]),
    authorizers: registry([allow, deny]),
    mutators: registry([noopMutator, header, idToken]),
    errors: registry([json, redirect, wwwAuthenticate]),
  };
}

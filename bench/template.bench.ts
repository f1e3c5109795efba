import { bench, describe } from 'vitest';
import { GoHeader, GoUrl } from '../src/template/go-net.js';
import { GoTemplate } from '../src/template/go-template.js';
import { GoStruct } from '../src/template/values.js';

/**
 * Rendering the portal's templates, as the proxy does on every request that reaches a
 * protected rule: the id_token mutator's claims and the header mutator's `X-User`.
 * `JSON.stringify` of the same session is the floor: no renderer can do less work.
 */
class MatchContext extends GoStruct {
  RegexpCaptureGroups: string[] = [];
  URL = new GoUrl('http://oathkeeper:4455/api/user/uploads?page=2');
  Method = 'GET';
  Header = new GoHeader({ Accept: ['text/html'], Cookie: ['ory_kratos_session=abc'] });
  goType() {
    return 'authn.MatchContext';
  }
  override goPointer() {
    return false;
  }
}

class Session extends GoStruct {
  Subject = '8c2b1f5e-6a7d-4c1e-9a43-2f6d0b9e7a11';
  Header = new GoHeader();
  MatchContext = new MatchContext();
  constructor(public Extra: Record<string, unknown>) {
    super();
  }
  goType() {
    return '*authn.AuthenticationSession';
  }
}

// A whoami body as Kratos returns it (the portal's extra_from: "@this").
const whoami = JSON.parse(`{
  "id": "2f1b6a0e-9d52-4b8e-a7a1-3c8f0b6e9d21", "active": true,
  "expires_at": "2026-12-31T12:00:00.000000Z", "authenticated_at": "2026-12-01T12:00:00.000000Z",
  "authenticator_assurance_level": "aal1", "issued_at": "2026-12-01T12:00:00.000000Z",
  "authentication_methods": [{"method": "password", "aal": "aal1", "completed_at": "2026-12-01T12:00:00.000000Z"}],
  "identity": {
    "id": "8c2b1f5e-6a7d-4c1e-9a43-2f6d0b9e7a11", "schema_id": "default",
    "schema_url": "https://account.example.com/.ory/kratos/public/schemas/ZGVmYXVsdA", "state": "active",
    "traits": {"email": "alice@example.com"},
    "verifiable_addresses": [{"id": "0c1d", "value": "alice@example.com", "verified": true, "via": "email", "status": "completed"}],
    "recovery_addresses": [{"id": "7e8f", "value": "alice@example.com", "via": "email"}],
    "metadata_public": null, "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"
  },
  "devices": [{"id": "d1", "ip_address": "127.0.0.1", "user_agent": "Mozilla/5.0", "location": ""}]
}`);
const session = new Session(whoami);

const claims = GoTemplate.parse('{\n  "session": {{ .Extra | toJson }}\n}', {
  functions: 'oathkeeper',
  missingKey: 'zero',
});
const header = GoTemplate.parse('{{ print .Subject }}', { functions: 'oathkeeper', missingKey: 'zero' });

describe('id_token claims template (portal)', () => {
  bench('gatehouse template', () => {
    claims.render(session);
  });
  bench('JSON.stringify of the same data (floor)', () => {
    `{\n  "session": ${JSON.stringify(whoami)}\n}`;
  });
});

describe('X-User header template (portal)', () => {
  bench('gatehouse template', () => {
    header.render(session);
  });
  bench('string concatenation (floor)', () => {
    `${session.Subject}`;
  });
});

import { describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT, runGatehouse } from '../support/gatehouse-process.js';

const sample = (name: string) => `${REPOSITORY_ROOT}config/${name}`;

describe("gatehouse's own config samples", () => {
  it('load in dev mode with no warning: they use only current keys', async () => {
    const result = await runGatehouse([
      'config',
      'check',
      '--dev',
      '-c',
      sample('kratos.yml.sample'),
      '-p',
      sample('oathkeeper.yml'),
    ]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      `identity config OK: ${sample('kratos.yml.sample')}\nproxy config OK: ${sample('oathkeeper.yml')}\n`,
    );
    expect(result.code).toBe(0);
  });

  it('refuse to run outside dev mode until every placeholder secret is replaced', async () => {
    const result = await runGatehouse(['config', 'check', '-c', sample('kratos.yml.sample')]);
    expect(result.code).toBe(1);
    expect(result.stderr.match(/secrets\.\w+\[0\]: is the placeholder/g)).toEqual([
      'secrets.default[0]: is the placeholder',
      'secrets.cookie[0]: is the placeholder',
      'secrets.cipher[0]: is the placeholder',
    ]);
  });

  it('take the SMTP password from COURIER_SMTP_CONNECTION_URI instead of the file', async () => {
    const result = await runGatehouse(['config', 'show', '--dev', '-c', sample('kratos.yml.sample')], {
      env: { COURIER_SMTP_CONNECTION_URI: 'smtps://mailer:from-env-9c2e@smtp.internal:465/' },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('connection_uri: smtps://mailer:[redacted]@smtp.internal:465/');
    expect(result.stdout).not.toContain('from-env-9c2e');
  });
});

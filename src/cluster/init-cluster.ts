import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeySet } from '../keys/generate-key-set.js';
import { formatKeySet, writeSecretFile } from '../keys/key-file.js';
import type { RandomSource } from '../random.js';

export interface InitClusterOptions {
  dir: string;
  random: RandomSource;
  /** Replace files that exist already. */
  force?: boolean;
  /** Turn the breached-password check off (machines without a route to the range API). */
  haveibeenpwned: boolean;
}

export interface InitClusterResult {
  dir: string;
  written: string[];
}

const SAMPLES = fileURLToPath(new URL('../../config/', import.meta.url));
// The folder the samples refer to; init rewrites it to the folder it writes into.
const SAMPLE_FOLDER = '/etc/config/gatehouse/';

/**
 * `gatehouse cluster init`: a config folder for a new cluster, made from the samples, with a fresh
 * key set and fresh secrets. Every node of the cluster gets a copy of this folder.
 */
export async function initCluster(options: InitClusterOptions): Promise<InitClusterResult> {
  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  const folder = `${dir}/`;
  const targets = [
    'kratos.yml',
    'oathkeeper.yml',
    'access-rules.yml',
    'identity.schema.json',
    'id_token.jwks.json',
    '.gitignore',
  ];
  if (!options.force) {
    const existing = targets.filter((name) => existsSync(join(dir, name)));
    if (existing.length > 0) {
      throw new Error(`${dir} already has ${existing.join(', ')}; pass --force to replace them`);
    }
  }

  const secret = (bytes: number) => options.random.bytes(bytes).toString('hex');
  const fresh = [secret(32), secret(32), secret(16)];
  let placeholders = 0;
  let kratos = readFileSync(join(SAMPLES, 'kratos.yml.sample'), 'utf8')
    .replace(/PLEASE-CHANGE-ME-[A-Z0-9-]+/g, () => fresh[placeholders++] ?? secret(32))
    .replaceAll(SAMPLE_FOLDER, folder);
  if (placeholders !== 3)
    throw new Error('the kratos.yml sample no longer has its three placeholder secrets');
  if (!options.haveibeenpwned) {
    kratos = kratos.replace(/haveibeenpwned_enabled: true/, 'haveibeenpwned_enabled: false');
  }

  const written: string[] = [];
  const writeSecret = (name: string, content: string) => {
    writeSecretFile(join(dir, name), content, { overwrite: true });
    written.push(join(dir, name));
  };
  const writePlain = (name: string, content: string) => {
    writeFileSync(join(dir, name), content);
    written.push(join(dir, name));
  };
  // It holds the cookie and cipher secrets, and will hold the SMTP password: owner-only.
  writeSecret('kratos.yml', kratos);
  writePlain(
    'oathkeeper.yml',
    readFileSync(join(SAMPLES, 'oathkeeper.yml'), 'utf8').replaceAll(SAMPLE_FOLDER, folder),
  );
  for (const name of ['access-rules.yml', 'identity.schema.json']) {
    copyFileSync(join(SAMPLES, name), join(dir, name));
    written.push(join(dir, name));
  }
  writeSecret('id_token.jwks.json', formatKeySet(await generateKeySet({ alg: 'RS256', bits: 2048 })));
  writePlain(
    '.gitignore',
    '# Secrets: the identity config (cookie and cipher secrets, SMTP password) and the signing keys.\nkratos.yml\nid_token.jwks.json\n',
  );
  return { dir, written };
}

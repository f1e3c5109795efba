#!/usr/bin/env node
// Copies the non-TypeScript files the built code reads at run time (config schemas, the password
// hashing worker) into dist/.
import { cpSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
cpSync(join(root, 'src', 'config', 'schemas'), join(root, 'dist', 'config', 'schemas'), { recursive: true });
cpSync(join(root, 'src', 'hash', 'hash-worker.mjs'), join(root, 'dist', 'hash', 'hash-worker.mjs'));

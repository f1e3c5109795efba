#!/usr/bin/env node
// Runs Go's text/template on the same templates and data as bench/template.bench.ts, right after
// it, when Go and Debian's sprig package are installed (apt-get install golang-go
// golang-github-masterminds-sprig-dev). Prints a note and exits 0 otherwise: CI needs no Go.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../tools/template-oracle/bench/', import.meta.url));
const result = spawnSync('go', ['run', 'main.go'], {
  cwd: dir,
  env: { ...process.env, GO111MODULE: 'off', GOPATH: '/usr/share/gocode' },
  encoding: 'utf8',
});
if (result.error || result.status !== 0) {
  console.log(
    'Go baseline skipped: go or the sprig package is not installed (see tools/template-oracle/README.md).',
  );
} else {
  console.log(`Go baseline, same machine, right after:\n${result.stdout}`);
}

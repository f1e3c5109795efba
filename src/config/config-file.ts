import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { describeFileError } from '../file-error.js';
import { ConfigError } from './config-error.js';

/** A parsed config file and the line each key path starts on. */
export interface ConfigFile {
  path: string;
  data: Record<string, unknown>;
  /** Line (1-based) of each key path in the file, keyed by the dotted path (`serve.public.port`). */
  lines: Map<string, number>;
}

/**
 * Reads a YAML or JSON config file. JSON is parsed by the YAML parser too (YAML 1.2 is a superset),
 * which gives line numbers for both.
 */
export function readConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([
      { path: '', message: describeFileError(error), origin: { kind: 'file', file: path } },
    ]);
  }
  const extension = extname(path).toLowerCase();
  if (extension === '.toml') {
    throw new ConfigError([
      {
        path: '',
        message: 'TOML config files are not supported by gatehouse; convert the file to YAML or JSON',
        origin: { kind: 'file', file: path },
      },
    ]);
  }
  return parseConfigText(text, path);
}

export function parseConfigText(text: string, path: string): ConfigFile {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, merge: true, prettyErrors: false });
  if (document.errors.length > 0) {
    const first = document.errors[0]!;
    const line = first.linePos?.[0]?.line ?? lineCounter.linePos(first.pos[0]).line;
    throw new ConfigError([
      {
        path: '',
        message: `invalid ${extname(path).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${firstSentence(first.message)}`,
        origin: { kind: 'file', file: path, line },
      },
    ]);
  }
  const data = document.toJS({ maxAliasCount: 100 }) as unknown;
  if (data === null || data === undefined) return { path, data: {}, lines: new Map() };
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError([
      {
        path: '',
        message: 'the file must hold a map of config keys at its top level',
        origin: { kind: 'file', file: path, line: 1 },
      },
    ]);
  }
  const lines = new Map<string, number>();
  collectLines(document.contents, [], lines, lineCounter);
  return { path, data: data as Record<string, unknown>, lines };
}

function firstSentence(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function collectLines(node: unknown, path: string[], lines: Map<string, number>, counter: LineCounter): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const childPath = [...path, key];
      const range = (pair.key as Node | null)?.range;
      if (range) lines.set(childPath.join('.'), counter.linePos(range[0]).line);
      collectLines(pair.value, childPath, lines, counter);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      const childPath = [...path, String(index)];
      const range = (item as Node | null)?.range;
      if (range) lines.set(childPath.join('.'), counter.linePos(range[0]).line);
      collectLines(item, childPath, lines, counter);
    });
  }
}

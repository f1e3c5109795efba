/** Where a config value came from, so that an error can point at it. */
export type ValueOrigin =
  | { kind: 'file'; file: string; line?: number }
  | { kind: 'env'; name: string }
  | { kind: 'flag'; name: string }
  | { kind: 'default' };

export interface ConfigProblem {
  /** Dotted key path, e.g. `serve.public.port` or `secrets.cookie[0]`; empty for the whole document. */
  path: string;
  message: string;
  origin?: ValueOrigin;
}

export function describeOrigin(origin: ValueOrigin | undefined): string {
  if (!origin) return '';
  switch (origin.kind) {
    case 'file':
      return origin.line ? `${origin.file}:${origin.line}` : origin.file;
    case 'env':
      return `environment variable ${origin.name}`;
    case 'flag':
      return `flag ${origin.name}`;
    case 'default':
      return 'built-in default';
  }
}

/**
 * A config that cannot be used. Its message is meant for the operator as is: where the value
 * came from, which key, and what is wrong. It never contains a configured value that may be secret.
 */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function formatProblem(problem: ConfigProblem): string {
  const where = describeOrigin(problem.origin);
  const parts = [where, problem.path].filter((part) => part !== '');
  return parts.length > 0 ? `${parts.join(': ')}: ${problem.message}` : problem.message;
}

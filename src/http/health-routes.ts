import type { FastifyInstance } from 'fastify';

/** A dependency that must work for the server to be ready (database, migrations, rules). */
export interface ReadinessCheck {
  name: string;
  /** Resolves when healthy; rejects with a message saying what is wrong. */
  check(): Promise<void>;
}

export interface HealthRoutesOptions {
  prefix?: string;
  checks: readonly ReadinessCheck[];
  /**
   * Replace each failure's text with a fixed notice. The public port does this, as Kratos does,
   * because an error text can reveal internal host names.
   */
  obfuscate?: boolean;
}

/** `GET /health/alive` (the process answers) and `GET /health/ready` (its dependencies work). */
export function registerHealthRoutes(app: FastifyInstance, options: HealthRoutesOptions): void {
  const prefix = options.prefix ?? '';
  app.get(`${prefix}/health/alive`, async () => ({ status: 'ok' }));
  app.get(`${prefix}/health/ready`, async (_request, reply) => {
    const errors: Record<string, string> = {};
    await Promise.all(
      options.checks.map(async ({ name, check }) => {
        try {
          await withTimeout(check(), 5_000);
        } catch (error) {
          errors[name] = options.obfuscate
            ? 'error may contain sensitive information and was obfuscated'
            : (error as Error).message;
        }
      }),
    );
    if (Object.keys(errors).length > 0) return reply.code(503).send({ errors });
    return { status: 'ok' };
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { PipelineRequest } from '../pipeline/pipeline-request.js';

/**
 * The request a rule decides on, made from an incoming HTTP request (the proxy's, or the one the
 * decisions API rebuilt). A class rather than an object literal with getters: V8 gives literal
 * accessors a fresh shape per request, which cost a third of the /decisions throughput
 * (bench/README.md); prototype getters keep the laziness without that.
 */
export class IncomingPipelineRequest implements PipelineRequest {
  #url: URL | undefined;

  constructor(
    readonly method: string,
    private readonly scheme: string,
    private readonly host: string,
    /** The cleaned, decoded path and the query as it came (`?` included). */
    private readonly pathAndQuery: string,
    private readonly request: IncomingMessage,
    readonly headers: IncomingHttpHeaders = request.headers,
  ) {}

  /** Built only when something reads it (templates, redirects): URL parsing is not free. */
  get url(): URL {
    this.#url ??= new URL(`${this.scheme}://${this.host}${this.pathAndQuery}`);
    return this.#url;
  }

  /** Asks the socket only when a `when` condition needs it (request.cidr): it is a system call. */
  get remoteAddress(): string {
    return this.request.socket.remoteAddress ?? '';
  }
}

/**
 * A `match.url` that cannot be compiled, or a match that cannot be decided within gatehouse's
 * bounds. Oathkeeper answers both with 500 for every request that reaches the rule, and so do we.
 */
export class PatternError extends Error {
  override name = 'PatternError';
}

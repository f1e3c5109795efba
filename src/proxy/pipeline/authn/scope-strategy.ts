/**
 * Whether a granted scope list satisfies one required scope, by the name Oathkeeper's configs use
 * (`scope_strategy`). `none` has no matcher: requiring a scope under it is a configuration error.
 */
export type ScopeMatcher = (granted: readonly string[], required: string) => boolean;

export type ScopeStrategyName = 'hierarchic' | 'exact' | 'wildcard' | 'none';

/** Only the identical scope grants it. */
const exact: ScopeMatcher = (granted, required) => granted.includes(required);

/**
 * A granted scope also grants everything below it: `photos` grants `photos.read`, but
 * `photos.read` does not grant `photos`. Segments are split at ".".
 */
const hierarchic: ScopeMatcher = (granted, required) => {
  const wanted = required.split('.');
  for (const scope of granted) {
    if (scope === required) return true;
    if (scope.length > required.length) continue;
    const have = scope.split('.');
    for (let index = 0; index < wanted.length; index++) {
      // Every segment of the granted scope matched and the required one goes deeper.
      if (index >= have.length) return true;
      if (have[index] !== wanted[index]) break;
    }
  }
  return false;
};

/**
 * A `*` segment in a granted scope stands for any one non-empty segment: `photos.*` grants
 * `photos.read` but neither `photos` nor `photos.read.all`.
 */
const wildcard: ScopeMatcher = (granted, required) => {
  const wanted = required.split('.');
  for (const scope of granted) {
    if (scope === required) return true;
    const have = scope.split('.');
    if (have.length !== wanted.length) continue;
    if (
      have.every((segment, index) => segment === wanted[index] || (segment === '*' && wanted[index] !== ''))
    )
      return true;
  }
  return false;
};

/** The matcher for a `scope_strategy` value (undefined for `none`); throws on unknown names. */
export function scopeMatcher(name: string | undefined): ScopeMatcher | undefined {
  switch ((name ?? 'none').toLowerCase()) {
    case 'exact':
      return exact;
    case 'hierarchic':
      return hierarchic;
    case 'wildcard':
      return wildcard;
    case 'none':
    case '':
      return undefined;
    default:
      throw new Error(`unknown scope_strategy "${name}": use hierarchic, exact, wildcard or none`);
  }
}

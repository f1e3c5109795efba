import { PipelineError, pipelineErrors } from '../pipeline/pipeline-error.js';
import { PatternError } from './matching/compile-pattern.js';
import type { PreparedRule } from './prepared-rule.js';

export interface RuleMatch {
  rule: PreparedRule;
  captureGroups: string[];
}

/** A character trie of the rules' literal prefixes, so a request only tries rules its URL can match. */
interface PrefixNode {
  next: Map<string, PrefixNode>;
  rules: PreparedRule[];
}

/**
 * An immutable set of prepared rules. A new set replaces the old one as a whole, so a request
 * always sees one consistent set, even while files reload.
 */
export class RuleSet {
  readonly valid: PreparedRule[];
  // Built once per set: candidate lookup by method and literal prefix.
  private readonly roots = new Map<string, PrefixNode>();
  // Rules whose pattern does not compile fail every request with one of their methods.
  private readonly broken = new Map<string, PreparedRule[]>();

  constructor(readonly rules: readonly PreparedRule[]) {
    this.valid = rules.filter((rule) => rule.problems.length === 0);
    for (const rule of rules) {
      for (const method of rule.methods) {
        if (rule.pattern instanceof PatternError) {
          this.broken.set(method, [...(this.broken.get(method) ?? []), rule]);
          continue;
        }
        let node: PrefixNode | undefined = this.roots.get(method);
        if (!node) {
          node = { next: new Map(), rules: [] };
          this.roots.set(method, node);
        }
        for (const char of rule.literalPrefix) {
          let child: PrefixNode | undefined = node.next.get(char);
          if (!child) {
            child = { next: new Map(), rules: [] };
            node.next.set(char, child);
          }
          node = child;
        }
        node.rules.push(rule);
      }
    }
  }

  /** The first valid rule with this id (ids are not unique, as in Oathkeeper). */
  byId(id: string): PreparedRule | undefined {
    return this.valid.find((rule) => rule.rule.id === id);
  }

  /**
   * The one rule matching `method` and `subject` (`scheme://host/path`). Every rule that can match
   * is tested, valid and invalid alike: none is a 404, more than one a 500, as Oathkeeper answers.
   */
  match(method: string, subject: string): RuleMatch | PipelineError {
    const upper = method.toUpperCase();
    const broken = this.broken.get(upper);
    if (broken)
      return pipelineErrors.internal(
        'The access rule could not be matched',
        (broken[0]!.pattern as PatternError).message,
      );
    let node = this.roots.get(upper);
    let found: RuleMatch | undefined;
    for (let index = 0; node; index++) {
      for (const rule of node.rules) {
        if (!subject.endsWith(rule.literalSuffix)) continue;
        let result: ReturnType<CompiledPatternOf<typeof rule>['match']>;
        try {
          result = (rule.pattern as CompiledPatternOf<typeof rule>).match(subject);
        } catch (error) {
          return pipelineErrors.internal('The access rule could not be matched', (error as Error).message);
        }
        if (!result.matched) continue;
        if (found) return pipelineErrors.severalRules();
        found = { rule, captureGroups: result.captureGroups };
      }
      node = index < subject.length ? node.next.get(subject[index]!) : undefined;
    }
    return found ?? pipelineErrors.noRule();
  }
}

type CompiledPatternOf<R extends PreparedRule> = Exclude<R['pattern'], PatternError>;

export { PipelineError };

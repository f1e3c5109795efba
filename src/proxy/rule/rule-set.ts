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
 * The same trie with every chain of rule-less, single-child nodes merged into one edge: a request
 * compares whole literal runs (`startsWith`) instead of doing one map lookup per character.
 */
interface RadixNode {
  /** The text of the edge into this node. */
  label: string;
  rules: PreparedRule[];
  /** Children by the first UTF-16 unit of their label. */
  children: Map<string, RadixNode>;
}

// Iterative, so that how deeply rules nest their literal prefixes is not bounded by the call stack.
function compress(root: PrefixNode): RadixNode {
  const pending: { node: PrefixNode; edge: string; into: Map<string, RadixNode> | undefined }[] = [
    { node: root, edge: '', into: undefined },
  ];
  let compressed: RadixNode | undefined;
  for (let item = pending.pop(); item; item = pending.pop()) {
    let { node, edge: label } = item;
    while (node.rules.length === 0 && node.next.size === 1) {
      const [char, child] = node.next.entries().next().value as [string, PrefixNode];
      label += char;
      node = child;
    }
    const radix: RadixNode = { label, rules: node.rules, children: new Map() };
    if (item.into) item.into.set(item.edge, radix);
    else compressed = radix;
    for (const [char, child] of node.next) pending.push({ node: child, edge: char, into: radix.children });
  }
  return compressed!;
}

/**
 * An immutable set of prepared rules. A new set replaces the old one as a whole, so a request
 * always sees one consistent set, even while files reload.
 */
export class RuleSet {
  readonly valid: PreparedRule[];
  // Built once per set: candidate lookup by method and literal prefix.
  private readonly roots = new Map<string, RadixNode>();
  // Rules whose pattern does not compile fail every request with one of their methods.
  private readonly broken = new Map<string, PreparedRule[]>();

  constructor(readonly rules: readonly PreparedRule[]) {
    this.valid = rules.filter((rule) => rule.problems.length === 0);
    const tries = new Map<string, PrefixNode>();
    for (const rule of rules) {
      for (const method of rule.methods) {
        if (rule.pattern instanceof PatternError) {
          this.broken.set(method, [...(this.broken.get(method) ?? []), rule]);
          continue;
        }
        let node: PrefixNode | undefined = tries.get(method);
        if (!node) {
          node = { next: new Map(), rules: [] };
          tries.set(method, node);
        }
        // By UTF-16 unit, as the request's URL is indexed when matching.
        for (let index = 0; index < rule.literalPrefix.length; index++) {
          const char = rule.literalPrefix[index]!;
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
    for (const [method, root] of tries) this.roots.set(method, compress(root));
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
    if (node && !subject.startsWith(node.label)) node = undefined;
    let index = node?.label.length ?? 0;
    let found: RuleMatch | undefined;
    while (node) {
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
      const child = index < subject.length ? node.children.get(subject[index]!) : undefined;
      node = child && subject.startsWith(child.label, index) ? child : undefined;
      if (node) index += node.label.length;
    }
    return found ?? pipelineErrors.noRule();
  }
}

type CompiledPatternOf<R extends PreparedRule> = Exclude<R['pattern'], PatternError>;

export { PipelineError };

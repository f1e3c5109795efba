import { type CharClass, toUpperCodePoint } from './char-class.js';
import { PatternError } from './pattern-error.js';
import type { Assertion, PatternNode } from './pattern-node.js';

// Instructions of the automaton a pattern compiles to (Thompson's construction, as in RE2).
// Consuming instructions read one code point and continue at pc + 1.
export const OP_CHAR = 0; // a: code point
export const OP_CHAR_FOLD = 1; // a: lower-cased code point, compared with the lower-cased subject
export const OP_CLASS = 2; // a: index into classes
export const OP_ANY_BUT_NEWLINE = 3;
export const OP_ANY = 4;
// Instructions that consume nothing:
export const OP_SPLIT = 5; // try a, then b (a has priority)
export const OP_JUMP = 6; // a: target
export const OP_SAVE = 7; // a: capture slot
export const OP_ASSERT = 8; // a: index into ASSERTIONS
export const OP_LOOKAHEAD = 9; // a: index into lookaheads
export const OP_MATCH = 10; // end of the main program
export const OP_LOOKAHEAD_MATCH = 11; // end of a lookahead's body

export const ASSERTIONS: readonly Assertion[] = [
  'start-of-text',
  'start-of-line',
  'end-of-text',
  'end-of-text-or-final-newline',
  'end-of-line',
  'word-boundary',
  'not-word-boundary',
];

/**
 * The most instructions a pattern may compile to. Counted repetitions are expanded, so
 * `[a-z]{1,5000}` is refused here rather than making every match slow.
 */
export const MAX_INSTRUCTIONS = 10_000;

/**
 * The most capture slots × instructions: the Pike VM keeps a row of slots per instruction, twice.
 * 2^21 (8 MiB of rows) still allows 100 groups in a 10,000-instruction pattern.
 */
export const MAX_CAPTURE_CELLS = 1 << 21;

/**
 * A lookahead's body lives after the main program, in [start, end). The matcher decides it for
 * every position of the subject at once, walking backwards (see pike-vm.ts); for that it needs, per
 * instruction, the instructions that reach it without consuming anything.
 */
export interface Lookahead {
  negate: boolean;
  start: number;
  end: number;
  /** Consuming instructions of the body. */
  consumers: Int32Array;
  /** Predecessors along non-consuming edges: those of pc are preds[predStart[pc - start] ... predStart[pc - start + 1]). */
  predStart: Int32Array;
  preds: Int32Array;
  /** Lookaheads used inside this body; they are decided first. */
  nested: number[];
}

export interface Program {
  op: Uint8Array;
  a: Int32Array;
  b: Int32Array;
  classes: CharClass[];
  start: number;
  /** Capture groups 1..groupCount use slots 2(g-1) (start) and 2(g-1)+1 (end). */
  groupCount: number;
  lookaheads: Lookahead[];
}

function isConsuming(op: number): boolean {
  return op <= OP_ANY;
}

/** Instructions `node` compiles to, saturating just above MAX_INSTRUCTIONS. */
function size(node: PatternNode): number {
  const cap = (n: number) => Math.min(n, MAX_INSTRUCTIONS + 1);
  switch (node.kind) {
    case 'empty':
      return 0;
    case 'char':
    case 'class':
    case 'any':
    case 'assertion':
      return 1;
    case 'sequence':
      return cap(node.items.reduce((sum, item) => sum + size(item), 0));
    case 'alternation':
      return cap(
        node.alternatives.reduce((sum, alt) => sum + size(alt), 0) + 2 * (node.alternatives.length - 1),
      );
    case 'capture':
      return cap(size(node.body) + 2);
    case 'lookahead':
      return cap(size(node.body) + 2);
    case 'repeat': {
      const body = size(node.body);
      const required = node.min * body;
      const optional = node.max === Number.POSITIVE_INFINITY ? body + 2 : (node.max - node.min) * (body + 1);
      return cap(required + optional);
    }
  }
}

/** Compiles a parsed pattern. `groupCount` comes from the parser (glob patterns have none). */
export function compileProgram(root: PatternNode, groupCount: number): Program {
  if (size(root) > MAX_INSTRUCTIONS) {
    throw new PatternError(
      `the pattern is too large: it would compile to more than ${MAX_INSTRUCTIONS} instructions`,
    );
  }
  const program = new ProgramBuilder(groupCount).build(root);
  if (program.op.length * 2 * groupCount > MAX_CAPTURE_CELLS) {
    throw new PatternError(`the pattern has too many capture groups (${groupCount}) for its size`);
  }
  return program;
}

interface PendingLookahead {
  index: number;
  negate: boolean;
  body: PatternNode;
  /** Whether captures in it would be visible to the rule (it is positive, as are all around it). */
  capturesVisible: boolean;
}

class ProgramBuilder {
  private readonly op: number[] = [];
  private readonly a: number[] = [];
  private readonly b: number[] = [];
  private readonly classes: CharClass[] = [];
  private readonly classIndex = new Map<CharClass, number>();
  private readonly pending: PendingLookahead[] = [];
  private readonly lookaheads: Lookahead[] = [];
  /** While compiling a lookahead body: null in the main program. */
  private lookahead: PendingLookahead | null = null;
  private nested: number[] = [];

  constructor(private readonly groupCount: number) {}

  build(root: PatternNode): Program {
    this.emitNode(root);
    this.emit(OP_MATCH, 0, 0);
    // Bodies are laid out after the main program, in the order they were met; one met while
    // compiling another body is appended to the queue.
    for (let i = 0; i < this.pending.length; i++) {
      const pending = this.pending[i]!;
      this.lookahead = pending;
      this.nested = [];
      const start = this.op.length;
      this.emitNode(pending.body);
      this.emit(OP_LOOKAHEAD_MATCH, 0, 0);
      this.lookaheads[pending.index] = this.describeLookahead(
        pending.negate,
        start,
        this.op.length,
        this.nested,
      );
    }
    return {
      op: Uint8Array.from(this.op),
      a: Int32Array.from(this.a),
      b: Int32Array.from(this.b),
      classes: this.classes,
      start: 0,
      groupCount: this.groupCount,
      lookaheads: this.lookaheads,
    };
  }

  private emit(op: number, a: number, b: number): number {
    this.op.push(op);
    this.a.push(a);
    this.b.push(b);
    return this.op.length - 1;
  }

  private get pc(): number {
    return this.op.length;
  }

  private emitNode(node: PatternNode): void {
    switch (node.kind) {
      case 'empty':
        return;
      case 'char':
        // A character without case needs no folding (and can then be part of a literal prefix).
        if (node.fold && toUpperCodePoint(node.codePoint) !== node.codePoint) {
          this.emit(OP_CHAR_FOLD, node.codePoint, 0);
        } else {
          this.emit(OP_CHAR, node.codePoint, 0);
        }
        return;
      case 'class': {
        let index = this.classIndex.get(node.charClass);
        if (index === undefined) {
          index = this.classes.length;
          this.classes.push(node.charClass);
          this.classIndex.set(node.charClass, index);
        }
        this.emit(OP_CLASS, index, 0);
        return;
      }
      case 'any':
        this.emit(node.newline ? OP_ANY : OP_ANY_BUT_NEWLINE, 0, 0);
        return;
      case 'assertion':
        this.emit(OP_ASSERT, ASSERTIONS.indexOf(node.assertion), 0);
        return;
      case 'sequence':
        for (const item of node.items) this.emitNode(item);
        return;
      case 'alternation': {
        const jumps: number[] = [];
        node.alternatives.forEach((alternative, i) => {
          if (i < node.alternatives.length - 1) {
            const split = this.emit(OP_SPLIT, this.pc + 1, 0);
            this.emitNode(alternative);
            jumps.push(this.emit(OP_JUMP, 0, 0));
            this.b[split] = this.pc;
          } else {
            this.emitNode(alternative);
          }
        });
        for (const jump of jumps) this.a[jump] = this.pc;
        return;
      }
      case 'capture':
        if (this.lookahead === null) {
          this.emit(OP_SAVE, 2 * (node.group - 1), 0);
          this.emitNode(node.body);
          this.emit(OP_SAVE, 2 * (node.group - 1) + 1, 0);
        } else if (this.lookahead.capturesVisible) {
          // .NET keeps what a positive lookahead captured; deciding lookaheads for all positions
          // at once (which keeps matching linear) cannot say what it captured.
          throw new PatternError(
            'capture groups inside a positive lookahead are not supported; use (?:...) there',
          );
        } else {
          // Inside a negative lookahead a group never captures anything: it reports "".
          this.emitNode(node.body);
        }
        return;
      case 'lookahead': {
        const index = this.pending.length;
        const outerVisible = this.lookahead === null || this.lookahead.capturesVisible;
        this.pending.push({
          index,
          negate: node.negate,
          body: node.body,
          capturesVisible: outerVisible && !node.negate,
        });
        if (this.lookahead !== null) this.nested.push(index);
        this.emit(OP_LOOKAHEAD, index, 0);
        return;
      }
      case 'repeat':
        this.emitRepeat(node.body, node.min, node.max, node.greedy);
        return;
    }
  }

  private emitRepeat(body: PatternNode, min: number, max: number, greedy: boolean): void {
    if (max === Number.POSITIVE_INFINITY) {
      if (min === 0) {
        // L: split body, out; body; jump L
        const loop = this.emit(OP_SPLIT, 0, 0);
        this.emitNode(body);
        this.emit(OP_JUMP, loop, 0);
        this.setSplit(loop, loop + 1, this.pc, greedy);
        return;
      }
      for (let i = 0; i < min - 1; i++) this.emitNode(body);
      // L: body; split L, out
      const loop = this.pc;
      this.emitNode(body);
      const split = this.emit(OP_SPLIT, 0, 0);
      this.setSplit(split, loop, this.pc, greedy);
      return;
    }
    for (let i = 0; i < min; i++) this.emitNode(body);
    // (body (body (body)?)?)? — skipping one optional copy skips the rest.
    const splits: number[] = [];
    for (let i = min; i < max; i++) {
      splits.push(this.emit(OP_SPLIT, 0, 0));
      this.emitNode(body);
    }
    for (const split of splits) this.setSplit(split, split + 1, this.pc, greedy);
  }

  private setSplit(split: number, body: number, out: number, greedy: boolean): void {
    this.a[split] = greedy ? body : out;
    this.b[split] = greedy ? out : body;
  }

  private describeLookahead(negate: boolean, start: number, end: number, nested: number[]): Lookahead {
    const consumers: number[] = [];
    const edges: [number, number][] = []; // [from, to] along non-consuming edges
    for (let pc = start; pc < end; pc++) {
      const op = this.op[pc]!;
      if (isConsuming(op)) consumers.push(pc);
      else if (op === OP_SPLIT) edges.push([pc, this.a[pc]!], [pc, this.b[pc]!]);
      else if (op === OP_JUMP) edges.push([pc, this.a[pc]!]);
      else if (op === OP_ASSERT || op === OP_LOOKAHEAD || op === OP_SAVE) edges.push([pc, pc + 1]);
    }
    const count = end - start;
    const predStart = new Int32Array(count + 1);
    for (const [, to] of edges) predStart[to - start + 1] = predStart[to - start + 1]! + 1;
    for (let i = 0; i < count; i++) predStart[i + 1] = predStart[i + 1]! + predStart[i]!;
    const fill = predStart.slice(0, count);
    const preds = new Int32Array(edges.length);
    for (const [from, to] of edges) {
      preds[fill[to - start]!] = from;
      fill[to - start] = fill[to - start]! + 1;
    }
    return { negate, start, end, consumers: Int32Array.from(consumers), predStart, preds, nested };
  }
}

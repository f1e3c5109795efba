import * as charClass from './char-class.js';
import { LazyDfa } from './lazy-dfa.js';
import { PatternError } from './pattern-error.js';
import type { Program } from './program.js';
import * as instructions from './program.js';
import * as limits from './steps.js';

// Module-local copies of what the loops below read on every step: some module loaders (vitest's)
// turn each use of an imported binding into a property read.
const {
  ASSERTIONS,
  OP_ANY,
  OP_ANY_BUT_NEWLINE,
  OP_ASSERT,
  OP_CHAR,
  OP_CHAR_FOLD,
  OP_CLASS,
  OP_JUMP,
  OP_LOOKAHEAD,
  OP_MATCH,
  OP_SAVE,
  OP_SPLIT,
} = instructions;
const { MAX_STEPS } = limits;
const { toLowerCodePoint } = charClass;

const START_OF_TEXT = ASSERTIONS.indexOf('start-of-text');

/** Lookahead results are kept between matches up to this subject length; longer ones are dropped. */
const RETAINED_LENGTH = 1 << 16;

interface ThreadList {
  /** pcs in order of priority (sparse-set representation: membership is O(1), clearing is size = 0). */
  dense: Int32Array;
  sparse: Int32Array;
  /** Capture slots of each thread, `ncap` per entry of `dense`. */
  caps: Int32Array;
  size: number;
}

function threadList(length: number, ncap: number): ThreadList {
  return {
    dense: new Int32Array(length),
    sparse: new Int32Array(length),
    caps: new Int32Array(length * ncap),
    size: 0,
  };
}

function isWordAt(s: string, p: number): boolean {
  if (p < 0 || p >= s.length) return false;
  const c = s.charCodeAt(p);
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || (c >= 0x61 && c <= 0x7a);
}

/** The assertions of program.ts' ASSERTIONS, by index. */
function assertionHolds(kind: number, s: string, p: number): boolean {
  const n = s.length;
  switch (kind) {
    case 0:
      return p === 0;
    case 1:
      return p === 0 || s.charCodeAt(p - 1) === 10;
    case 2:
      return p === n;
    case 3:
      return p === n || (p === n - 1 && s.charCodeAt(p) === 10);
    case 4:
      return p === n || s.charCodeAt(p) === 10;
    case 5:
      return isWordAt(s, p - 1) !== isWordAt(s, p);
    default:
      return isWordAt(s, p - 1) === isWordAt(s, p);
  }
}

/** The code point at a position (a lone surrogate counts as one). */
function codePointAt(s: string, p: number): number {
  const c = s.charCodeAt(p);
  if (c >= 0xd800 && c <= 0xdbff && p + 1 < s.length) {
    const d = s.charCodeAt(p + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
  }
  return c;
}

/** The start of the code point before position p > 0. */
function previousPosition(s: string, p: number): number {
  const prev = p - 1;
  if (prev > 0) {
    const c = s.charCodeAt(prev);
    const b = s.charCodeAt(prev - 1);
    if (c >= 0xdc00 && c <= 0xdfff && b >= 0xd800 && b <= 0xdbff) return prev - 1;
  }
  return prev;
}

/**
 * Runs a compiled program over a whole subject as a Pike VM (Thompson's simulation with capture
 * slots per thread, as RE2 does): every code point is read once, every instruction runs at most
 * once per position, so a match costs O(instructions × length) whatever the pattern and subject.
 * Threads are kept in priority order, which gives the captures a backtracking engine such as
 * .NET's would report (leftmost-first: greedy takes the longest, lazy the shortest, the first
 * alternative wins). A group captured more than once keeps its last capture; one that did not
 * take part stays unset.
 *
 * Lookaheads are decided for every position at once by walking the subject backwards (a set of
 * live instructions per position, O(body × length)), then read as assertions.
 *
 * One instance keeps preallocated buffers and is not reentrant; JavaScript runs one match at a time.
 */
export class PikeVm {
  private readonly ncap: number;
  private readonly lists: [ThreadList, ThreadList];
  /** Capture slots of the path being followed while threads are added. */
  private readonly caps: Int32Array;
  /** Work stack for adding threads: pairs (pc, 0) or (-1 - slot, value to restore). */
  private readonly stack: Int32Array;
  private readonly result: Int32Array;
  /** Steps taken by the current match, and what visiting one instruction costs (captures are copied). */
  private steps = 0;
  private readonly stepCost: number;
  /**
   * The literal text every match starts with (the pattern's leading characters), checked with
   * startsWith before the automaton runs from prefixEnd: most rules fail there, and cheaply.
   */
  private readonly prefix: string;
  private readonly prefixEnd: number;
  /** Answers whether there is a match at all, faster, for programs it supports. */
  private readonly dfa: LazyDfa | undefined;
  /** Whether a lookahead result larger than RETAINED_LENGTH is held. */
  private oversized = false;

  /** Which match (by `call`, a counter that cannot wrap in practice) a lookahead's `decided` entry belongs to. */
  private call = 0;
  private readonly decidedIn: number[];
  private readonly decided: (Uint8Array | undefined)[];
  private readonly rows: [Uint8Array, Uint8Array][];
  private readonly queue: Int32Array;

  constructor(private readonly program: Program) {
    const length = program.op.length;
    this.ncap = 2 * program.groupCount;
    this.lists = [threadList(length, this.ncap), threadList(length, this.ncap)];
    this.caps = new Int32Array(this.ncap);
    this.stack = new Int32Array(2 * (length + 1));
    this.result = new Int32Array(this.ncap);
    this.decidedIn = program.lookaheads.map(() => -1);
    this.decided = program.lookaheads.map(() => undefined);
    this.rows = program.lookaheads.map((look) => [
      new Uint8Array(look.end - look.start),
      new Uint8Array(look.end - look.start),
    ]);
    this.queue = new Int32Array(length);
    this.stepCost = 1 + (this.ncap >> 3);
    let pc = program.start;
    let prefix = '';
    for (;;) {
      const o = program.op[pc];
      if (o === OP_ASSERT && program.a[pc] === START_OF_TEXT && prefix === '') pc++;
      else if (o === OP_CHAR && !(program.a[pc]! >= 0xd800 && program.a[pc]! <= 0xdfff)) {
        prefix += String.fromCodePoint(program.a[pc]!);
        pc++;
      } else break;
    }
    this.prefix = prefix;
    this.prefixEnd = pc;
    this.dfa = LazyDfa.supports(program) ? new LazyDfa(program, pc) : undefined;
  }

  /**
   * The capture slots (-1 where unset) of the preferred match of the whole subject, or null.
   * The returned array is reused by the next call.
   */
  exec(subject: string): Int32Array | null {
    const { prefix, dfa } = this;
    if (prefix !== '' && !subject.startsWith(prefix)) return null;
    if (this.oversized) this.releaseOversized();
    this.call++;
    this.steps = 0;
    if (dfa !== undefined) {
      const matches = dfa.matches(subject, prefix.length);
      this.steps = dfa.steps;
      if (matches === false) return null;
      // Without capture groups there is nothing more to find out.
      if (matches === true && this.ncap === 0) return this.result;
    }
    const result = this.run(subject, this.prefixEnd, prefix.length);
    if (this.oversized) this.releaseOversized();
    return result;
  }

  /** Drops lookahead results of a long subject (a match that threw leaves them to the next call). */
  private releaseOversized(): void {
    for (let k = 0; k < this.decided.length; k++) {
      if ((this.decided[k]?.length ?? 0) > RETAINED_LENGTH + 1) this.decided[k] = undefined;
    }
    this.oversized = false;
  }

  private run(subject: string, startPc: number, startPos: number): Int32Array | null {
    const { op, a, classes } = this.program;
    const n = subject.length;
    const ncap = this.ncap;
    let current = this.lists[0];
    let next = this.lists[1];
    current.size = 0;
    this.caps.fill(-1);
    this.addThread(current, startPc, startPos, subject);
    let pos = startPos;
    for (;;) {
      if (current.size === 0) return null;
      if (this.steps > MAX_STEPS) this.tooMuchWork(subject);
      if (pos >= n) {
        for (let i = 0; i < current.size; i++) {
          if (op[current.dense[i]!] !== OP_MATCH) continue;
          const base = i * ncap;
          for (let k = 0; k < ncap; k++) this.result[k] = current.caps[base + k]!;
          return this.result;
        }
        return null;
      }
      const c = codePointAt(subject, pos);
      const width = c > 0xffff ? 2 : 1;
      let folded = -1;
      next.size = 0;
      const dense = current.dense;
      for (let i = 0; i < current.size; i++) {
        const pc = dense[i]!;
        let consumed: boolean;
        switch (op[pc]) {
          case OP_CHAR:
            consumed = c === a[pc];
            break;
          case OP_CHAR_FOLD:
            if (folded < 0) folded = toLowerCodePoint(c);
            consumed = folded === a[pc];
            break;
          case OP_CLASS:
            consumed = classes[a[pc]!]!.has(c);
            break;
          case OP_ANY_BUT_NEWLINE:
            consumed = c !== 10;
            break;
          case OP_ANY:
            consumed = true;
            break;
          default:
            // Instructions that consume nothing were followed when the thread was added; a
            // match before the end of the subject is no match of the whole subject.
            consumed = false;
        }
        if (!consumed) continue;
        if (ncap > 0) {
          const base = i * ncap;
          for (let k = 0; k < ncap; k++) this.caps[k] = current.caps[base + k]!;
        }
        this.addThread(next, pc + 1, pos + width, subject);
      }
      const swap = current;
      current = next;
      next = swap;
      pos += width;
    }
  }

  private tooMuchWork(subject: string): never {
    throw new PatternError(
      `matching this ${this.program.op.length}-instruction pattern against a ${subject.length}-character URL ` +
        `exceeds the limit of ${MAX_STEPS} steps`,
    );
  }

  /**
   * Adds the thread at pc, following instructions that consume nothing (in priority order,
   * depth first), to `list`. Each pc enters a list once per position: the first path to reach it
   * has the higher priority, and loops that consume nothing end there.
   */
  private addThread(list: ThreadList, pc0: number, pos: number, subject: string): void {
    const { op, a, b } = this.program;
    const { stack, caps, ncap } = this;
    const { dense, sparse } = list;
    let sp = 0;
    let pc = pc0;
    let steps = 0;
    for (;;) {
      // Follow one path until it ends in a thread, a visited pc or a failed assertion.
      for (;;) {
        const seen = sparse[pc]!;
        if (seen < list.size && dense[seen] === pc) break;
        const index = list.size++;
        steps++;
        sparse[pc] = index;
        dense[index] = pc;
        const o = op[pc]!;
        if (o === OP_JUMP) {
          pc = a[pc]!;
        } else if (o === OP_SPLIT) {
          stack[sp++] = b[pc]!;
          stack[sp++] = 0;
          pc = a[pc]!;
        } else if (o === OP_SAVE) {
          const slot = a[pc]!;
          stack[sp++] = -1 - slot;
          stack[sp++] = caps[slot]!;
          caps[slot] = pos;
          pc++;
        } else if (o === OP_ASSERT) {
          if (!assertionHolds(a[pc]!, subject, pos)) break;
          pc++;
        } else if (o === OP_LOOKAHEAD) {
          if (!this.lookaheadHolds(a[pc]!, subject, pos)) break;
          pc++;
        } else {
          // A consuming instruction or the end: a thread, with the captures of its path.
          if (ncap > 0) {
            const base = index * ncap;
            for (let k = 0; k < ncap; k++) list.caps[base + k] = caps[k]!;
          }
          break;
        }
      }
      // Then the next alternative pushed, restoring captures saved on the way.
      for (;;) {
        if (sp === 0) {
          this.steps += steps * this.stepCost;
          return;
        }
        const value = stack[--sp]!;
        const entry = stack[--sp]!;
        if (entry >= 0) {
          pc = entry;
          break;
        }
        caps[-1 - entry] = value;
      }
    }
  }

  private lookaheadHolds(k: number, subject: string, pos: number): boolean {
    const decided = this.decidedIn[k] === this.call ? this.decided[k]! : this.decide(k, subject);
    return (decided[pos] === 1) !== this.program.lookaheads[k]!.negate;
  }

  /**
   * Whether lookahead k's body matches at each position, computed from the end of the subject
   * backwards: an instruction is live at a position if it is the body's end, or consumes the
   * code point there and the next instruction is live after it, or leads (consuming nothing, its
   * assertions holding) to a live instruction.
   */
  private decide(k: number, subject: string): Uint8Array {
    const { op, a, classes } = this.program;
    const look = this.program.lookaheads[k]!;
    for (const inner of look.nested) {
      if (this.decidedIn[inner] !== this.call) this.decide(inner, subject);
    }
    const n = subject.length;
    const { start, end, consumers, predStart, preds } = look;
    // Deciding costs the body's size at every position, counted up front.
    this.steps += (end - start) * (n + 1);
    if (this.steps > MAX_STEPS) this.tooMuchWork(subject);
    let decided = this.decided[k];
    if (decided === undefined || decided.length < n + 1) {
      decided = new Uint8Array(n + 1);
      if (n > RETAINED_LENGTH) this.oversized = true;
    }
    const queue = this.queue;
    let [after, here] = this.rows[k]!;
    after.fill(0);
    let pos = n;
    for (;;) {
      here.fill(0);
      let head = 0;
      let tail = 0;
      if (pos < n) {
        const c = codePointAt(subject, pos);
        for (let i = 0; i < consumers.length; i++) {
          const pc = consumers[i]!;
          if (after[pc + 1 - start] !== 1) continue;
          let consumed: boolean;
          switch (op[pc]) {
            case OP_CHAR:
              consumed = c === a[pc];
              break;
            case OP_CHAR_FOLD:
              consumed = toLowerCodePoint(c) === a[pc];
              break;
            case OP_CLASS:
              consumed = classes[a[pc]!]!.has(c);
              break;
            case OP_ANY_BUT_NEWLINE:
              consumed = c !== 10;
              break;
            default:
              consumed = true;
          }
          if (!consumed) continue;
          here[pc - start] = 1;
          queue[tail++] = pc;
        }
      }
      here[end - 1 - start] = 1;
      queue[tail++] = end - 1;
      while (head < tail) {
        const to = queue[head++]! - start;
        for (let i = predStart[to]!; i < predStart[to + 1]!; i++) {
          const from = preds[i]!;
          if (here[from - start] === 1) continue;
          const o = op[from];
          if (o === OP_ASSERT && !assertionHolds(a[from]!, subject, pos)) continue;
          if (o === OP_LOOKAHEAD && !this.lookaheadHolds(a[from]!, subject, pos)) continue;
          here[from - start] = 1;
          queue[tail++] = from;
        }
      }
      decided[pos] = here[0]!;
      if (pos === 0) break;
      const swap = after;
      after = here;
      here = swap;
      pos = previousPosition(subject, pos);
    }
    this.decided[k] = decided;
    this.decidedIn[k] = this.call;
    return decided;
  }
}

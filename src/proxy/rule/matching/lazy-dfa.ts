import * as charClass from './char-class.js';
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
  OP_MATCH,
  OP_SAVE,
  OP_SPLIT,
} = instructions;
const { MAX_STEPS } = limits;
const { toLowerCodePoint } = charClass;

const START_OF_TEXT = ASSERTIONS.indexOf('start-of-text');
const END_OF_TEXT = ASSERTIONS.indexOf('end-of-text');

/**
 * At most this many states are kept per pattern (each holds a 128-entry table for ASCII). A match
 * needing more gives up and leaves the question to the Pike VM.
 */
const MAX_STATES = 256;

/** Transitions on characters beyond ASCII kept per state; more are computed each time. */
const MAX_OTHER_TRANSITIONS = 64;

interface State {
  /** Sorted pcs: consuming instructions, OP_MATCH, and end-of-text assertions waiting for the end. */
  pcs: Int32Array;
  ascii: (State | undefined)[] | undefined;
  other: Map<number, State> | undefined;
  /** Whether the subject may end here: -1 not yet known. */
  accepts: number;
}

/**
 * Answers "does the whole subject match?" with a DFA built lazily from the program (RE2's
 * approach): a state is the set of instructions live at a position, created the first time it is
 * reached and cached with its transitions, so a repeated transition costs one table lookup. Used
 * only for programs whose assertions are start-of-text and end-of-text and that have no lookahead;
 * the Pike VM answers the others and computes capture groups.
 */
export class LazyDfa {
  private readonly states = new Map<string, State>();
  private readonly mark: Int32Array;
  private generation = 0;
  private readonly stack: Int32Array;
  private readonly found: Int32Array;
  private start: State | undefined;
  /** Work done by the last call, in the Pike VM's steps. */
  steps = 0;

  static supports(program: Program): boolean {
    if (program.lookaheads.length > 0) return false;
    for (let pc = 0; pc < program.op.length; pc++) {
      if (program.op[pc] === OP_ASSERT && program.a[pc] !== START_OF_TEXT && program.a[pc] !== END_OF_TEXT) {
        return false;
      }
    }
    return true;
  }

  constructor(
    private readonly program: Program,
    private readonly startPc: number,
  ) {
    const length = program.op.length;
    this.mark = new Int32Array(length);
    this.stack = new Int32Array(3 * length + 1);
    this.found = new Int32Array(length);
  }

  /**
   * Whether subject[startPos..] takes the program from startPc to its end; undefined if it gave up
   * (too many states, or more than MAX_STEPS steps, which the Pike VM then reports).
   */
  matches(subject: string, startPos: number): boolean | undefined {
    this.steps = 0;
    const n = subject.length;
    let state: State | undefined;
    if (startPos === 0) {
      state = this.state(this.closure([this.startPc], true, false));
    } else {
      this.start ??= this.state(this.closure([this.startPc], false, false));
      state = this.start;
    }
    let pos = startPos;
    while (state !== undefined && pos < n) {
      if (state.pcs.length === 0) return false;
      if (this.steps > MAX_STEPS) return undefined;
      let c = subject.charCodeAt(pos);
      if (c >= 0xd800 && c <= 0xdbff && pos + 1 < n) {
        const d = subject.charCodeAt(pos + 1);
        if (d >= 0xdc00 && d <= 0xdfff) c = (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
      }
      pos += c > 0xffff ? 2 : 1;
      this.steps++;
      let next = c < 128 ? state.ascii?.[c] : state.other?.get(c);
      if (next === undefined) {
        next = this.step(state, c);
        if (next === undefined) return undefined;
        if (c < 128) {
          state.ascii ??= new Array<State | undefined>(128);
          state.ascii[c] = next;
        } else {
          state.other ??= new Map();
          if (state.other.size < MAX_OTHER_TRANSITIONS) state.other.set(c, next);
        }
      }
      state = next;
    }
    if (state === undefined) return undefined;
    if (n === 0) return this.accepts(state, true);
    if (state.accepts < 0) state.accepts = this.accepts(state, false) ? 1 : 0;
    return state.accepts === 1;
  }

  private step(state: State, c: number): State | undefined {
    const { op, a, classes } = this.program;
    const seeds: number[] = [];
    this.steps += state.pcs.length;
    for (const pc of state.pcs) {
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
        case OP_ANY:
          consumed = true;
          break;
        default:
          consumed = false;
      }
      if (consumed) seeds.push(pc + 1);
    }
    return this.state(this.closure(seeds, false, false));
  }

  /** Whether the end of the subject, reached in this state, completes a match. */
  private accepts(state: State, atStart: boolean): boolean {
    const waiting: number[] = [];
    for (const pc of state.pcs) {
      if (this.program.op[pc] === OP_MATCH) return true;
      if (this.program.op[pc] === OP_ASSERT) waiting.push(pc + 1);
    }
    const atEnd = this.closure(waiting, atStart, true);
    return atEnd.some((pc) => this.program.op[pc] === OP_MATCH);
  }

  /** The live instructions reached from `seeds` without consuming anything. */
  private closure(seeds: number[], atStart: boolean, atEnd: boolean): Int32Array {
    const { op, a, b } = this.program;
    const { mark, stack, found } = this;
    const generation = ++this.generation;
    let count = 0;
    let sp = 0;
    for (let i = seeds.length - 1; i >= 0; i--) stack[sp++] = seeds[i]!;
    while (sp > 0) {
      const pc = stack[--sp]!;
      if (mark[pc] === generation) continue;
      mark[pc] = generation;
      this.steps++;
      const o = op[pc];
      if (o === OP_JUMP) {
        stack[sp++] = a[pc]!;
      } else if (o === OP_SPLIT) {
        stack[sp++] = b[pc]!;
        stack[sp++] = a[pc]!;
      } else if (o === OP_SAVE) {
        stack[sp++] = pc + 1;
      } else if (o === OP_ASSERT) {
        if (a[pc] === START_OF_TEXT) {
          if (atStart) stack[sp++] = pc + 1;
        } else if (atEnd) {
          stack[sp++] = pc + 1;
        } else {
          found[count++] = pc;
        }
      } else {
        found[count++] = pc;
      }
    }
    return found.slice(0, count).sort();
  }

  private state(pcs: Int32Array): State | undefined {
    const key = pcs.join(',');
    let state = this.states.get(key);
    if (state === undefined) {
      if (this.states.size >= MAX_STATES) return undefined;
      state = { pcs, ascii: undefined, other: undefined, accepts: -1 };
      this.states.set(key, state);
    }
    return state;
  }
}

import type { Command, Node, Operand, Pipeline } from './ast.js';
import type { FunctionTable, ParamType, TemplateFunction } from './functions.js';
import { formatValue } from './go-format.js';
import { position } from './lexer.js';
import { TemplateError } from './template-error.js';
import {
  GoComplex,
  GoMap,
  GoNilMap,
  GoNilPointer,
  GoStruct,
  type GoValue,
  isTrue,
  kindOf,
  sortedEntries,
  typeName,
} from './values.js';

export type MissingKey = 'default' | 'zero' | 'error';

export interface RenderContext {
  source: string;
  name: string;
  templates: ReadonlyMap<string, Node[]>;
  functions: FunctionTable;
  missingKey: MissingKey;
  /** Escapes each action's output (HTML mode); identity in text mode. */
  escape?: (value: GoValue, actionIndex: number) => string;
  /** Index of each action node in document order, for the escaper's per-action contexts. */
  actionIndex?: ReadonlyMap<Node, number>;
}

/** How deep templates may call templates (Go stops recursion at 100000; this is plenty). */
export const MAX_TEMPLATE_DEPTH = 1000;

const NO_ARGS: Operand[] = [];

class BreakSignal {}
class ContinueSignal {}

interface Variable {
  name: string;
  value: GoValue;
}

/** Runs a parsed template against `data`, as Go's text/template Execute does. */
export function renderNodes(context: RenderContext, nodes: Node[], data: GoValue): string {
  const state = new State(context);
  // A nil data value is no value at all, as reflect.ValueOf(nil) is in Go.
  const dot = data === null ? undefined : data;
  state.vars = [{ name: '$', value: dot }];
  state.walkList(dot, nodes);
  return state.out;
}

class State {
  out = '';
  vars: Variable[] = [];
  depth = 0;
  /** The action being run, for error messages (two fields, not an object: this is per command). */
  private atPos = 0;
  private atSource = '';

  /** `fail`, bound once per render instead of a closure per action. */
  private readonly failer = (message: string): never => this.fail(message);

  constructor(private readonly context: RenderContext) {}

  private fail(message: string): never {
    throw new TemplateError(
      `template: ${this.context.name}:${position(this.context.source, this.atPos)}: executing "${this.context.name}" at <${this.atSource}>: ${message}`,
    );
  }

  walkList(dot: GoValue, nodes: Node[]): void {
    for (const node of nodes) this.walk(dot, node);
  }

  private walk(dot: GoValue, node: Node): void {
    switch (node.type) {
      case 'text':
        this.out += node.text;
        return;
      case 'action': {
        const value = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) {
          this.out += this.context.escape
            ? this.context.escape(value, this.context.actionIndex?.get(node) ?? -1)
            : printValue(value, this.failer);
        }
        return;
      }
      case 'if':
      case 'with': {
        const mark = this.vars.length;
        const value = this.evalPipeline(dot, node.pipe);
        if (isTrue(value)) this.walkList(node.type === 'with' ? value : dot, node.list);
        else if (node.elseList) this.walkList(dot, node.elseList);
        this.vars.length = mark;
        return;
      }
      case 'range':
        this.walkRange(dot, node);
        return;
      case 'template': {
        const body = this.context.templates.get(node.name);
        this.atPos = node.pos;
        this.atSource = `template "${node.name}"`;
        if (!body)
          this.fail(`template: no template "${node.name}" associated with template "${this.context.name}"`);
        if (this.depth >= MAX_TEMPLATE_DEPTH)
          this.fail(`exceeded maximum template depth (${MAX_TEMPLATE_DEPTH})`);
        const value = node.pipe ? this.evalPipeline(dot, node.pipe) : undefined;
        const outer = this.vars;
        this.vars = [{ name: '$', value }];
        this.depth++;
        try {
          this.walkList(value, body);
        } finally {
          this.depth--;
          this.vars = outer;
        }
        return;
      }
      case 'break':
        throw new BreakSignal();
      case 'continue':
        throw new ContinueSignal();
    }
  }

  private walkRange(dot: GoValue, node: Extract<Node, { type: 'range' }>): void {
    const mark = this.vars.length;
    const value = this.evalPipeline(dot, { ...node.pipe, decl: [] });
    const items: [GoValue, GoValue][] = [];
    switch (kindOf(value)) {
      case 'slice':
        for (const [index, item] of (value as GoValue[]).entries()) items.push([BigInt(index), item]);
        break;
      case 'map':
        for (const [key, item] of sortedEntries(value as object)) items.push([key, item]);
        break;
      case 'invalid':
      case 'nil':
        break;
      case 'int':
        this.fail(`range can't iterate over ${formatValue(value)}`);
        break;
      default:
        this.fail(`range can't iterate over ${formatValue(value)}`);
    }
    if (items.length === 0) {
      if (node.elseList) this.walkList(dot, node.elseList);
      this.vars.length = mark;
      return;
    }
    for (const [key, item] of items) {
      const decl = node.pipe.decl;
      if (decl.length === 1) this.setVar(decl[0]!, item, node.pipe.isAssign);
      if (decl.length === 2) {
        this.setVar(decl[0]!, key, node.pipe.isAssign);
        this.setVar(decl[1]!, item, node.pipe.isAssign);
      }
      const inner = this.vars.length;
      try {
        this.walkList(item, node.list);
      } catch (signal) {
        if (signal instanceof BreakSignal) break;
        if (!(signal instanceof ContinueSignal)) throw signal;
      } finally {
        this.vars.length = inner;
      }
      if (!node.pipe.isAssign) this.vars.length = mark;
    }
    this.vars.length = mark;
  }

  private setVar(name: string, value: GoValue, assign: boolean): void {
    if (assign) {
      for (let index = this.vars.length - 1; index >= 0; index--) {
        if (this.vars[index]!.name === name) {
          this.vars[index]!.value = value;
          return;
        }
      }
      this.fail(`undefined variable: ${name}`);
    }
    this.vars.push({ name, value });
  }

  private evalPipeline(dot: GoValue, pipe: Pipeline): GoValue {
    this.atPos = pipe.pos;
    this.atSource = pipe.source;
    let value: GoValue;
    const commands = pipe.commands;
    for (let index = 0; index < commands.length; index++) {
      value = this.evalCommand(dot, commands[index]!, index === 0 ? undefined : { value });
      // An interface{} holding nil is no value at all, as in Go's evalPipeline.
      if (value === null) value = undefined;
    }
    for (const name of pipe.decl) this.setVar(name, value, pipe.isAssign);
    return value;
  }

  private evalCommand(dot: GoValue, command: Command, final: { value: GoValue } | undefined): GoValue {
    const head = command.args[0]!;
    // The arguments after the first, sliced once per command node and kept on it.
    command.rest ??= command.args.slice(1);
    const args = command.rest;
    this.atPos = head.pos;
    switch (head.type) {
      case 'field':
        return this.evalChain(dot, dot, head.names, args, final);
      case 'variable':
        return this.evalChain(dot, this.lookup(head.name), head.names, args, final);
      case 'pipe': {
        const value = this.evalPipeline(dot, head.pipe);
        if (head.names.length === 0) {
          this.noArgs(args, final, head);
          return value;
        }
        return this.evalChain(dot, value, head.names, args, final);
      }
      case 'function':
        return this.callFunction(dot, head.name, this.context.functions.get(head.name)!, args, final);
      case 'dot':
        this.noArgs(args, final, head);
        return dot;
      default:
        this.noArgs(args, final, head);
        return this.evalConstant(head, 'any');
    }
  }

  private noArgs(args: Operand[], final: { value: GoValue } | undefined, head: Operand): void {
    if (args.length > 0 || final) this.fail(`can't give argument to non-function ${describe(head)}`);
  }

  private lookup(name: string): GoValue {
    for (let index = this.vars.length - 1; index >= 0; index--) {
      if (this.vars[index]!.name === name) return this.vars[index]!.value;
    }
    return this.fail(`undefined variable: ${name}`);
  }

  /** `.a.b.c args...`: fields and map keys in turn; the last name may be a method taking the args. */
  private evalChain(
    dot: GoValue,
    receiver: GoValue,
    names: string[],
    args: Operand[],
    final: { value: GoValue } | undefined,
  ): GoValue {
    let value = receiver;
    for (let index = 0; index < names.length; index++) {
      const last = index === names.length - 1;
      value = this.evalField(dot, names[index]!, value, last ? args : NO_ARGS, last ? final : undefined);
    }
    if (names.length === 0) this.noArgs(args, final, { type: 'dot', pos: 0 });
    return value;
  }

  private evalField(
    dot: GoValue,
    name: string,
    receiver: GoValue,
    args: Operand[],
    final: { value: GoValue } | undefined,
  ): GoValue {
    const kind = kindOf(receiver);
    if (receiver instanceof GoStruct || receiver instanceof GoMap) {
      const method = (receiver as unknown as Record<string, unknown>)[name];
      // Only exported (capitalised) methods are callable, as in Go.
      if (typeof method === 'function' && !Object.hasOwn(receiver, name) && /^\p{Lu}/u.test(name)) {
        const spec: TemplateFunction = {
          params: [],
          variadic: true,
          call: (...values) => method.apply(receiver, values),
        };
        spec.params = Array.from({ length: method.length }, () => 'any' as ParamType);
        spec.variadic = false;
        return this.callFunction(dot, name, spec, args, final);
      }
    }
    const hasArgs = args.length > 0 || final !== undefined;
    if (kind === 'struct') {
      if (!(receiver as GoStruct).hasGoField(name) || !/^\p{Lu}/u.test(name)) {
        this.fail(`can't evaluate field ${name} in type ${typeName(receiver)}`);
      }
      if (hasArgs) this.fail(`${name} has arguments but cannot be invoked as function`);
      return (receiver as Record<string, GoValue>)[name];
    }
    if (kind === 'map') {
      if (hasArgs) this.fail(`${name} is not a method but has arguments`);
      if (Object.hasOwn(receiver as object, name)) return (receiver as Record<string, GoValue>)[name];
      switch (this.context.missingKey) {
        case 'error':
          return this.fail(`map has no entry for key "${name}"`);
        case 'zero':
          return receiver instanceof GoMap ? receiver.zeroElement() : null;
        default:
          return undefined;
      }
    }
    // A missing key leaves no value, and a field of no value is again no value (unless missingkey
    // asks for zero values or errors); a nil that is present, or a zero value, is an error.
    if (kind === 'invalid' && this.context.missingKey === 'default') return undefined;
    if (receiver instanceof GoNilPointer) return this.fail(`nil pointer evaluating ${receiver.type}.${name}`);
    if (kind === 'invalid' || kind === 'nil') return this.fail(`nil pointer evaluating interface {}.${name}`);
    return this.fail(`can't evaluate field ${name} in type ${typeName(receiver)}`);
  }

  private callFunction(
    dot: GoValue,
    name: string,
    spec: TemplateFunction,
    args: Operand[],
    final: { value: GoValue } | undefined,
  ): GoValue {
    const count = args.length + (final ? 1 : 0);
    if (spec.lazy) {
      let next = 0;
      const values = [...args];
      return spec.lazy(() => {
        const index = next++;
        if (index < values.length) return this.evalArg(dot, values[index]!, 'any');
        return final?.value;
      }, count);
    }
    const fixed = spec.params.length - (spec.variadic ? 1 : 0);
    if (spec.variadic ? count < fixed : count !== fixed) {
      this.fail(
        `wrong number of args for ${name}: want ${spec.variadic ? 'at least ' : ''}${fixed} got ${count}`,
      );
    }
    const values = args.map((arg, index) => this.evalArg(dot, arg, paramAt(spec, index)));
    if (final) values.push(this.coerce(final.value, paramAt(spec, args.length)));
    try {
      return spec.call(...values);
    } catch (error) {
      if (error instanceof TemplateError) throw error;
      return this.fail(`error calling ${name}: ${(error as Error).message}`);
    }
  }

  private evalArg(dot: GoValue, arg: Operand, type: ParamType): GoValue {
    switch (arg.type) {
      case 'dot':
        return this.coerce(dot, type);
      case 'nil':
        if (type === 'any' || type === 'map' || type === 'slice' || type === 'value') return null;
        return this.fail(`cannot assign nil to ${goTypeOf(type)}`);
      case 'field':
      case 'variable':
      case 'pipe':
      case 'function': {
        const value = this.evalCommand(dot, { pos: arg.pos, args: [arg] }, undefined);
        return this.coerce(value === null ? undefined : value, type);
      }
      default:
        return this.evalConstant(arg, type);
    }
  }

  private evalConstant(arg: Operand, type: ParamType): GoValue {
    switch (arg.type) {
      case 'bool':
        if (type !== 'any' && type !== 'bool' && type !== 'value')
          this.fail(`expected ${goTypeOf(type)}; found ${arg.value}`);
        return arg.value;
      case 'string':
        if (type !== 'any' && type !== 'string' && type !== 'value')
          this.fail(`expected ${goTypeOf(type)}; found "${arg.value}"`);
        return arg.value;
      case 'number':
        if (arg.complex !== undefined) return new GoComplex(0, arg.complex);
        if (type === 'int') {
          if (!arg.isInt && !Number.isInteger(arg.value as number))
            this.fail(`expected integer; found ${arg.text}`);
          return typeof arg.value === 'bigint' ? arg.value : BigInt(arg.value);
        }
        if (type === 'float') return Number(arg.value);
        if (type !== 'any' && type !== 'value') this.fail(`expected ${goTypeOf(type)}; found ${arg.text}`);
        return arg.value;
      case 'nil':
        return null;
      default:
        return this.fail(`can't handle ${describe(arg)}`);
    }
  }

  /** Checks a value against a parameter type, as Go's validateType does. */
  private coerce(value: GoValue, type: ParamType): GoValue {
    const kind = kindOf(value);
    if (type === 'value') return value;
    if (kind === 'invalid') {
      if (type === 'any' || type === 'map' || type === 'slice') return null;
      return this.fail(`invalid value; expected ${goTypeOf(type)}`);
    }
    const ok =
      type === 'any' ||
      (type === 'string' && kind === 'string') ||
      (type === 'int' && kind === 'int') ||
      (type === 'float' && kind === 'float') ||
      (type === 'bool' && kind === 'bool') ||
      (type === 'map' &&
        (kind === 'map' || kind === 'nil') &&
        (!(value instanceof GoMap) || value instanceof GoNilMap)) ||
      (type === 'slice' && (kind === 'slice' || kind === 'nil'));
    if (!ok) this.fail(`wrong type for value; expected ${goTypeOf(type)}; got ${typeName(value)}`);
    return value;
  }
}

function paramAt(spec: TemplateFunction, index: number): ParamType {
  if (index < spec.params.length) return spec.params[index]!;
  return spec.variadic ? spec.params[spec.params.length - 1]! : 'any';
}

function goTypeOf(type: ParamType): string {
  return {
    any: 'interface {}',
    string: 'string',
    int: 'int',
    float: 'float64',
    bool: 'bool',
    map: 'map[string]interface {}',
    slice: '[]interface {}',
    value: 'reflect.Value',
  }[type];
}

function describe(operand: Operand): string {
  switch (operand.type) {
    case 'string':
      return JSON.stringify(operand.value);
    case 'number':
      return operand.text;
    case 'bool':
      return String(operand.value);
    case 'dot':
      return 'dot';
    case 'nil':
      return 'nil';
    default:
      return operand.type;
  }
}

/** What an action prints: `<no value>` for no value, else fmt's %v. */
export function printValue(value: GoValue, fail: (message: string) => never): string {
  if (value === undefined || value === null) return '<no value>';
  if (value instanceof GoNilPointer) return '<nil>';
  if (typeof value === 'function') fail(`can't print value of type func`);
  return formatValue(value);
}

/** The parse tree of a template, close to Go's text/template/parse nodes. */

export type Node =
  | TextNode
  | ActionNode
  | IfNode
  | RangeNode
  | WithNode
  | TemplateCallNode
  | BreakNode
  | ContinueNode;

export interface TextNode {
  type: 'text';
  text: string;
}

export interface ActionNode {
  type: 'action';
  pos: number;
  pipe: Pipeline;
}

export interface IfNode {
  type: 'if';
  pos: number;
  pipe: Pipeline;
  list: Node[];
  elseList?: Node[];
}

export interface RangeNode {
  type: 'range';
  pos: number;
  pipe: Pipeline;
  list: Node[];
  elseList?: Node[];
}

export interface WithNode {
  type: 'with';
  pos: number;
  pipe: Pipeline;
  list: Node[];
  elseList?: Node[];
}

export interface TemplateCallNode {
  type: 'template';
  pos: number;
  name: string;
  pipe?: Pipeline;
}

export interface BreakNode {
  type: 'break';
  pos: number;
}

export interface ContinueNode {
  type: 'continue';
  pos: number;
}

/** `$x := cmd | cmd`, `$i, $v := ...` in range, `$x = ...`. */
export interface Pipeline {
  pos: number;
  /** Text of the pipeline, for error messages (`at <.Extra.a>`). */
  source: string;
  decl: string[];
  isAssign: boolean;
  commands: Command[];
}

export interface Command {
  pos: number;
  args: Operand[];
  /** `args` without the first, filled in by the renderer on first use. */
  rest?: Operand[];
}

export type Operand =
  | { type: 'field'; pos: number; names: string[] }
  | { type: 'variable'; pos: number; name: string; names: string[] }
  | { type: 'dot'; pos: number }
  | { type: 'nil'; pos: number }
  | { type: 'bool'; pos: number; value: boolean }
  | { type: 'string'; pos: number; value: string }
  | {
      type: 'number';
      pos: number;
      text: string;
      value: number | bigint;
      isInt: boolean;
      isChar: boolean;
      complex?: number;
    }
  | { type: 'function'; pos: number; name: string }
  | { type: 'pipe'; pos: number; pipe: Pipeline; names: string[] };

// A small structured builder for Verilog: modules (ports, parameters, lint waivers) made of named sections, and in a
// section the items — regs, wires, memories, always and initial blocks with nested if/else and for statements,
// instances, generate loops, functions. Every emitter and every proof wrapper builds its Verilog here, so identifiers are
// escaped in one place and a module's layout is the same wherever it comes from. Text inside an item is plain Verilog.

/** Names a plain identifier may not take: Verilog-2005's keywords and SystemVerilog's that Yosys -sv reads. */
const KEYWORDS = new Set(`always and assign automatic begin buf bufif0 bufif1 case casex casez cell cmos config deassign
default defparam design disable edge else end endcase endconfig endfunction endgenerate endmodule endprimitive
endspecify endtable endtask event for force forever fork function generate genvar highz0 highz1 if ifnone incdir
include initial inout input instance integer join large liblist library localparam macromodule medium module nand
negedge nmos nor noshowcancelled not notif0 notif1 or output parameter pmos posedge primitive pull0 pull1 pulldown
pullup pulsestyle_onevent pulsestyle_ondetect rcmos real realtime reg release repeat rnmos rpmos rtran rtranif0
rtranif1 scalared showcancelled signed small specify specparam strong0 strong1 supply0 supply1 table task time tran
tranif0 tranif1 tri tri0 tri1 triand trior trireg unsigned use uwire vectored wait wand weak0 weak1 while wire wor
xnor xor assert assume cover property sequence logic bit byte int shortint longint type typedef enum struct union
packed string void return break continue import export class extends virtual interface modport program clocking
always_comb always_ff always_latch unique priority final alias restrict`.split(/\s+/));

/**
 * `name` as a Verilog identifier: as it is when it is a plain identifier, else escaped (`\acc[0].q ` — a backslash, the
 * name, and the space that ends it). The one Verilog escaper of rowsim.
 */
export function vName(name: string): string {
  return isPlainName(name) ? name : `\\${name} `;
}

/** `name` is a Verilog identifier as it stands (no escape needed, not a keyword). */
export function isPlainName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_$]*$/.test(name) && !KEYWORDS.has(name);
}

/** `[w-1:0] ` for a vector of `width` bits, nothing for one bit. */
export function vRange(width: number): string {
  return width > 1 ? `[${width - 1}:0] ` : '';
}

/**
 * A declaration's width: `'bit'` for a scalar, or a number of bits rendered as a range even when it is 1 (`[0:0]`), so
 * a computed width may be bit-selected whatever its value.
 */
export type VWidth = number | 'bit';

/**
 * `{a, b, …}` with `perLine` items a line, later lines indented by `pad`: a concatenation of hundreds of words (a wide
 * layer's beat or partial sums) stays readable rather than one line of kilobytes.
 */
export function vConcat(items: readonly string[], pad = '      ', perLine = 8): string {
  const rows = Array.from({ length: Math.ceil(items.length / perLine) }, (_, r) => items.slice(r * perLine, (r + 1) * perLine).join(', '));
  return `{${rows.join(`,\n${pad}`)}}`;
}

/** A procedural statement: one line of Verilog (`x <= y;`), an if/else, or a for loop. */
export type VStmt = string | VIf | VFor;

/** `if (cond) … else …`; `else` may itself be a single VIf (rendered `else if`). */
export interface VIf {
  readonly if: string;
  readonly then: readonly VStmt[];
  readonly else?: readonly VStmt[];
}

/** `for (init; cond; step) …`. */
export interface VFor {
  readonly for: readonly [init: string, cond: string, step: string];
  readonly body: readonly VStmt[];
}

/** An if statement (TSDoc shorthand for `{ if, then, else }`). */
export function vIf(cond: string, then: readonly VStmt[], otherwise?: readonly VStmt[]): VIf {
  return otherwise ? { if: cond, then, else: otherwise } : { if: cond, then };
}

/** A for statement over `v` from `from` while `cond` holds, stepping by one. */
export function vFor(v: string, from: string, cond: string, body: readonly VStmt[]): VFor {
  return { for: [`${v} = ${from}`, cond, `${v} = ${v} + 1`], body };
}

/** Statements as lines, each indented by `pad`; one-statement branches go without begin/end. */
export function renderStmts(stmts: readonly VStmt[], pad: string): string[] {
  return stmts.flatMap((s) => renderStmt(s, pad));
}

function renderStmt(s: VStmt, pad: string): string[] {
  if (typeof s === 'string') return s.split('\n').map((l) => pad + l);
  if ('for' in s) return block(`${pad}for (${s.for.join('; ')})`, s.body, pad);
  const head = block(`${pad}if (${s.if})`, s.then, pad);
  if (!s.else) return head;
  const elseIf = s.else.length === 1 && typeof s.else[0] === 'object' && 'if' in s.else[0];
  const rest = elseIf ? renderStmt(s.else[0]!, pad) : block(`${pad}else`, s.else, pad);
  const first = `${elseIf ? 'else ' : ''}${rest[0]!.slice(pad.length)}`;   // 'else if (…) …', 'else begin' or 'else stmt;'
  // After a begin/end then, the else goes on the end's line; after a one-line then, on a line of its own.
  if (head.length > 1) return [...head.slice(0, -1), `${pad}end ${first}`, ...rest.slice(1)];
  return [...head, `${pad}${first}`, ...rest.slice(1)];
}

/**
 * The line is one plain statement: one `;` (before any comment), and not an if or for of its own — a bare nested if
 * would take the outer statement's else.
 */
function oneStatement(line: string): boolean {
  const code = line.replace(/\/\/.*$/, '');
  return !line.includes('\n') && !/^\s*(if|for)\b/.test(code) && code.split(';').length === 2;
}

/** `head stmt;` for one simple statement, else `head begin … end`. */
function block(head: string, body: readonly VStmt[], pad: string): string[] {
  if (body.length === 1 && typeof body[0] === 'string' && oneStatement(body[0])) return [`${head} ${body[0]}`];
  return [`${head} begin`, ...renderStmts(body, `${pad}  `), `${pad}end`];
}

/** One value of an isolated group (VSection.isolated): declared as a `reg`, computed while the group's gate holds. */
export interface VIsolatedWire {
  readonly name: string;
  readonly width: VWidth;
  readonly expr: string;
  readonly comment?: string;
}

/** How many values `VSection.isolated` has declared so far (in any module): their order of addition. */
let isolatedCount = 0;

/** A named group of module items; its methods render items as they are added. */
export class VSection {
  /** The section's lines (unindented; the module indents them). */
  readonly lines: string[] = [];
  /** Values declared by `isolated`, computed in the module's isolation blocks; `order` counts calls to `isolated`. */
  readonly isolatedWires: (VIsolatedWire & { readonly gate: string; readonly block: string; readonly order: number })[] = [];

  constructor(readonly title: string) {}

  /** Plain lines of Verilog. */
  raw(...lines: string[]): this {
    this.lines.push(...lines.flatMap((l) => l.split('\n')));
    return this;
  }

  private decl(kind: string, names: readonly string[], width: VWidth, tail: string, comment?: string): this {
    return this.raw(`${kind} ${width === 'bit' ? '' : `[${width - 1}:0] `}${names.map(vName).join(', ')}${tail};${comment ? `   // ${comment}` : ''}`);
  }

  /** `reg [w-1:0] a, b;` */
  reg(names: string | readonly string[], width: VWidth = 'bit', comment?: string): this {
    return this.decl('reg', typeof names === 'string' ? [names] : names, width, '', comment);
  }

  /** `reg [w-1:0] name [0:depth-1];` — a memory. */
  memory(name: string, width: VWidth, depth: number | string, comment?: string): this {
    return this.decl('reg', [name], width, ` [0:${typeof depth === 'number' ? depth - 1 : depth}]`, comment);
  }

  /**
   * `reg [w-1:0] name [0:depth-1]` with Verilator's split_var pragma — an array of registers that is read and written only at
   * constant indices. Verilator then simulates each word as a register of its own: a nonblocking write to an array word
   * otherwise costs a set flag, an index and a value that are cleared and tested every cycle, whether the word is
   * written or not (other tools read the pragma as a comment).
   */
  registerArray(name: string, width: VWidth, depth: number | string, comment?: string): this {
    return this.decl('reg', [name], width, ` [0:${typeof depth === 'number' ? depth - 1 : depth}] /*verilator split_var*/`, comment);
  }

  /** `wire [w-1:0] name = expr;` (no expression: a bare declaration). */
  wire(name: string, width: VWidth, expr?: string, comment?: string): this {
    return this.decl('wire', [name], width, expr === undefined ? '' : ` = ${expr}`, comment);
  }

  /**
   * Operand isolation: `reg`s set to their expressions while `gate` holds and to 0 while it does not, for values nothing
   * reads while the gate is low (a layer's tap operands while its controller is idle). The hardware holds them still at
   * the cost of an AND per bit; Verilator computes none of them in an idle cycle instead of all of them every cycle.
   * They are declared here; the module computes every section's values of one gate and `block` in a single
   * combinational block after its sections (one test of the gate a cycle), in the order they were added, so a value may
   * read those before it (and those of another block). A named `block` is a block of its own: Verilator orders each
   * block after every process that reads its values, so values read by one group of processes only (a strip's
   * operands, read by the strip's ALUs) are best kept apart from those many read.
   */
  isolated(gate: string, wires: readonly VIsolatedWire[], block = ''): this {
    for (const x of wires) this.reg(x.name, x.width, x.comment);
    // Numbered across all sections: a value added later to an earlier section still comes after what it reads.
    this.isolatedWires.push(...wires.map((x) => ({ ...x, gate, block, order: isolatedCount++ })));
    return this;
  }

  /** `integer a, b;` */
  integer(...names: string[]): this {
    return this.raw(`integer ${names.join(', ')};`);
  }

  /** `assign lhs = expr;` */
  assign(lhs: string, expr: string): this {
    return this.raw(`assign ${lhs} = ${expr};`);
  }

  /** `always @(event) …` (event `*` for combinational logic); one statement goes on the always line. */
  always(event: string, body: readonly VStmt[]): this {
    return this.raw(...block(`always @${event === '*' ? '*' : `(${event})`}`, body, ''));
  }

  /** `initial begin … end`. */
  initial(body: readonly VStmt[]): this {
    return this.raw('initial begin', ...renderStmts(body, '  '), 'end');
  }

  /** An instance of `module` named `name`, ports connected by name (in the order given). */
  instance(module: string, name: string, connections: Readonly<Record<string, string>>, wrapAfter?: number): this {
    const conns = Object.entries(connections).map(([p, s]) => `.${vName(p)}(${s})`);
    if (wrapAfter === undefined || wrapAfter >= conns.length) return this.raw(`${module} ${name} (${conns.join(', ')});`);
    return this.raw(`${module} ${name} (${conns.slice(0, wrapAfter).join(', ')},`, `  ${conns.slice(wrapAfter).join(', ')});`);
  }

  /** A function: `function [w-1:0] name(input …); body endfunction`. */
  func(header: string, ...body: string[]): this {
    return this.raw(`function ${header};`, ...body.map((l) => `  ${l}`), 'endfunction');
  }

  /** `generate for (gv = 0; gv < count; gv = gv + 1) begin : label … end endgenerate`, the loop body built by `build`. */
  generateFor(gv: string, count: string | number, label: string, build: (body: VSection) => void): this {
    const body = new VSection(label);
    build(body);
    return this.raw('generate', `  for (${gv} = 0; ${gv} < ${count}; ${gv} = ${gv} + 1) begin : ${label}`, ...body.lines.map((l) => `    ${l}`), '  end', 'endgenerate');
  }
}

/** A port of a module. */
export interface VPort {
  readonly dir: 'input' | 'output';
  readonly name: string;
  readonly width: number;
  /** 'reg' for outputs assigned in always blocks. */
  readonly kind?: 'wire' | 'reg';
  /** Written beside the port. */
  readonly comment?: string;
  /** A Verilator lint turned off around this port's declaration (say, UNUSEDSIGNAL for bits known to be 0). */
  readonly waive?: string;
}

/** One Verilog module under construction. */
export class VModule {
  private readonly ports: VPort[] = [];
  private readonly params: { values: Record<string, number>; comment?: string }[] = [];
  private readonly sections: VSection[] = [];
  private readonly waived: { code: string; why: string }[] = [];

  /** `header` lines become `//` comments above the module. */
  constructor(readonly name: string, private readonly header: readonly string[]) {}

  /** Adds a port. */
  port(dir: VPort['dir'], name: string, width = 1, kind: VPort['kind'] = 'wire', comment?: string, waive?: string): this {
    this.ports.push({ dir, name, width, kind, ...(comment ? { comment } : {}), ...(waive ? { waive } : {}) });
    return this;
  }

  /**
   * Adds named constants (one statement per call). Those the body uses render as `localparam integer`; the others —
   * constants the emitter folded into sized literals — render as a comment, so the numbers stay on record.
   */
  localparams(values: Record<string, number>, comment?: string): this {
    this.params.push({ values, ...(comment ? { comment } : {}) });
    return this;
  }

  /** Turns a Verilator lint off for the module's body, with the reason written beside it. */
  waive(code: string, why: string): this {
    this.waived.push({ code, why });
    return this;
  }

  /** The section `title` (created on first use; sections render in creation order), with `lines` appended. */
  section(title: string, ...lines: string[]): VSection {
    let s = this.sections.find((x) => x.title === title);
    if (!s) this.sections.push((s = new VSection(title)));
    return s.raw(...lines);
  }

  /**
   * One section per gate and block of the sections' isolated values, in the order of their first value: the block that
   * computes them (see VSection.isolated).
   */
  private isolationSections(): VSection[] {
    const all = this.sections.flatMap((s) => s.isolatedWires).sort((a, b) => a.order - b.order);
    const zero = (w: VWidth) => (w === 'bit' ? "1'b0" : `${w}'d0`);
    const groups = new Map<string, typeof all>();
    for (const x of all) {
      const key = `${x.gate}\0${x.block}`;
      const group = groups.get(key);
      if (group) group.push(x);
      else groups.set(key, [x]);
    }
    return [...groups.values()].map((wires) => {
      const { gate, block } = wires[0]!;
      return new VSection(`operand isolation${block ? `, ${block}` : ''}: the ${wires.length} values declared isolated above, computed while ${gate} (else 0)`)
        .always('*', [vIf(gate, wires.map((x) => `${vName(x.name)} = ${x.expr};`), wires.map((x) => `${vName(x.name)} = ${zero(x.width)};`))]);
    });
  }

  /** The module's text. */
  render(): string {
    const ports = this.ports.flatMap((p, i) => {
      const line = `  ${p.dir.padEnd(6)} ${(p.kind ?? 'wire').padEnd(4)} ${vRange(p.width)}${vName(p.name)}${i < this.ports.length - 1 ? ',' : ''}${p.comment ? `   // ${p.comment}` : ''}`;
      return p.waive ? [`  /* verilator lint_off ${p.waive} */`, line, `  /* verilator lint_on ${p.waive} */`] : [line];
    });
    const body = [...this.sections, ...this.isolationSections()].filter((s) => s.lines.length).map((s) => `\n  // ---- ${s.title}\n${s.lines.map((l) => (l.length ? `  ${l}` : '')).join('\n')}`);
    const text = body.join('\n');
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');   // names in comments do not count as uses
    const used = (name: string) => new RegExp(`\\b${name}\\b`).test(code);
    const params = this.params.flatMap(({ values, comment }) => {
      const all = Object.entries(values);
      const live = all.filter(([k]) => used(k)), folded = all.filter(([k]) => !used(k));
      const list = (xs: [string, number][]) => xs.map(([k, v]) => `${k} = ${v}`).join(', ');
      return [
        ...(live.length ? [`  localparam integer ${list(live)};${comment ? `   // ${comment}` : ''}`] : []),
        ...(folded.length ? [`  // ${list(folded)}${!live.length && comment ? `; ${comment}` : ''}`] : []),
      ];
    });
    const off = this.waived.map((w) => `  /* verilator lint_off ${w.code} */   // ${w.why}`);
    const on = this.waived.map((w) => `  /* verilator lint_on ${w.code} */`);
    return `\n${this.header.map((h) => `// ${h}`).join('\n')}\nmodule ${this.name} (\n${ports.join('\n')}\n);\n${[...off, ...params].join('\n')}\n${text}\n${on.length ? `${on.join('\n')}\n` : ''}endmodule\n`;
  }
}

// A small structured builder for Verilog modules: ports, parameters and named sections of items, rendered in a fixed
// order, so emitters compose a module from parts instead of one long template. Text inside items is plain Verilog.

/** A port of a module. */
export interface VPort {
  readonly dir: 'input' | 'output';
  readonly name: string;
  readonly width: number;
  /** 'reg' for outputs assigned in always blocks. */
  readonly kind?: 'wire' | 'reg';
}

/** One Verilog module under construction. */
export class VModule {
  private readonly ports: VPort[] = [];
  private readonly params: string[] = [];
  private readonly sections: { title: string; lines: string[] }[] = [];

  /** `header` lines become `//` comments above the module. */
  constructor(readonly name: string, private readonly header: readonly string[]) {}

  /** Adds a port. */
  port(dir: VPort['dir'], name: string, width = 1, kind: VPort['kind'] = 'wire'): this {
    this.ports.push({ dir, name, width, kind });
    return this;
  }

  /** Adds `localparam integer NAME = value` lines (one statement per call). */
  localparams(values: Record<string, number>, comment?: string): this {
    this.params.push(`localparam integer ${Object.entries(values).map(([k, v]) => `${k} = ${v}`).join(', ')};${comment ? `   // ${comment}` : ''}`);
    return this;
  }

  /** Appends lines to the section `title` (created on first use; sections render in creation order). */
  section(title: string, ...lines: string[]): this {
    let s = this.sections.find((x) => x.title === title);
    if (!s) this.sections.push((s = { title, lines: [] }));
    s.lines.push(...lines.flatMap((l) => l.split('\n')));
    return this;
  }

  /** The module's text. */
  render(): string {
    const ports = this.ports.map((p, i) => `  ${p.dir.padEnd(6)} ${(p.kind ?? 'wire').padEnd(4)} ${p.width > 1 ? `[${p.width - 1}:0] ` : ''}${p.name}${i < this.ports.length - 1 ? ',' : ''}`);
    const body = this.sections.filter((s) => s.lines.length).map((s) => `\n  // ---- ${s.title}\n${s.lines.map((l) => (l.length ? `  ${l}` : '')).join('\n')}`);
    return `\n${this.header.map((h) => `// ${h}`).join('\n')}\nmodule ${this.name} (\n${ports.join('\n')}\n);\n${this.params.map((p) => `  ${p}`).join('\n')}\n${body.join('\n')}\nendmodule\n`;
  }
}

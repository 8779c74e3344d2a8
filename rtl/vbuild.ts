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
  private readonly params: { values: Record<string, number>; comment?: string }[] = [];
  private readonly sections: { title: string; lines: string[] }[] = [];

  /** `header` lines become `//` comments above the module. */
  constructor(readonly name: string, private readonly header: readonly string[]) {}

  /** Adds a port. */
  port(dir: VPort['dir'], name: string, width = 1, kind: VPort['kind'] = 'wire'): this {
    this.ports.push({ dir, name, width, kind });
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

  private readonly waived: { code: string; why: string }[] = [];

  /** Turns a Verilator lint off for the module's body, with the reason written beside it. */
  waive(code: string, why: string): this {
    this.waived.push({ code, why });
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
